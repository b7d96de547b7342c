import { passwordMatches } from "./password.js";
import { RateLimit } from "../../limits/rate-limit.js";

// With a 12-character minimum guessing is hopeless anyway; this keeps a guesser from even trying fast.
const WRONG_PASSWORDS_PER_MINUTE = 10;

export type PasswordVerdict = { ok: true } | { ok: false; throttled: false } | { ok: false; throttled: true; retryAfterSeconds: number };

/**
 * The one place a typed or Basic password is checked. After too many wrong ones in a minute every
 * attempt is refused unchecked (the right password too, or throttling would not slow a guesser).
 */
export class PasswordCheck {
  readonly #password: string;
  readonly #wrong: RateLimit;

  constructor(password: string, now: () => number = Date.now) {
    this.#password = password;
    this.#wrong = new RateLimit(WRONG_PASSWORDS_PER_MINUTE, 60_000, now);
  }

  check(given: string): PasswordVerdict {
    if (!this.#wrong.available()) return { ok: false, throttled: true, retryAfterSeconds: this.#wrong.retryAfterSeconds() };
    if (passwordMatches(this.#password, given)) return { ok: true };
    this.#wrong.take();
    return { ok: false, throttled: false };
  }
}
