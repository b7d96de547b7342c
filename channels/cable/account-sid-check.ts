import { timingSafeEqual } from "node:crypto";

export type AccountVerdict = "match" | "mismatch" | "not-configured";

/**
 * Compares a claimed Twilio account SID with the configured one without leaking, through timing,
 * how much of it matched. Only the length can show, and an account SID's length is no secret
 * (Twilio's are "AC" plus 32 hex digits). An HMAC of both sides would hide the length too, at a
 * cost of several microseconds on every Connect.
 */
export class AccountSidCheck {
  readonly #expected: Buffer | undefined;

  constructor(configuredSid: string | undefined) {
    this.#expected = configuredSid === undefined ? undefined : Buffer.from(configuredSid, "utf8");
  }

  get configured(): boolean {
    return this.#expected !== undefined;
  }

  verify(claimed: string): AccountVerdict {
    if (this.#expected === undefined) return "not-configured";
    const candidate = Buffer.from(claimed, "utf8");
    return candidate.length === this.#expected.length && timingSafeEqual(candidate, this.#expected) ? "match" : "mismatch";
  }
}
