import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export type AccountVerdict = "match" | "mismatch" | "not-configured";

/**
 * Compares a claimed Twilio account SID with the configured one without leaking, through timing,
 * how much of it matched or how long it is: both sides are reduced to HMACs under a per-process
 * random key, and the fixed-length digests are compared with timingSafeEqual.
 */
export class AccountSidCheck {
  readonly #key = randomBytes(32);
  readonly #expected: Buffer | undefined;

  constructor(configuredSid: string | undefined) {
    this.#expected = configuredSid === undefined ? undefined : this.#digest(configuredSid);
  }

  get configured(): boolean {
    return this.#expected !== undefined;
  }

  verify(claimed: string): AccountVerdict {
    // Digest even when unconfigured, so that case costs the same as the others.
    const digest = this.#digest(claimed);
    if (this.#expected === undefined) return "not-configured";
    return timingSafeEqual(digest, this.#expected) ? "match" : "mismatch";
  }

  #digest(value: string): Buffer {
    return createHmac("sha256", this.#key).update(value, "utf8").digest();
  }
}
