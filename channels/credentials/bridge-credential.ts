import { CALL_SID_PATTERN, isCallSid } from "../calls/call-sid.js";
import { deriveKey } from "./bridge-secret.js";
import { macMatches, sign } from "./signed-value.js";

const PURPOSE = "twilio-bridge-cable";
/** The bridge connects right after issuing; clocks of two processes on one host agree closely. */
export const DEFAULT_CREDENTIAL_MAX_AGE_MS = 60_000;
// v1.<CallSid>.<issued, ms>.<mac>; the CallSid part is checked against the one pattern in verify().
const CREDENTIAL = /^v1\.([^.]+)\.(\d{10,13})\.([A-Za-z0-9_-]{43})$/;

export type BridgeCredentialCheck = { ok: true; callSid: string } | { ok: false; reason: "malformed" | "invalid" | "expired" };

export class BridgeCredentials {
  readonly #key: Buffer;
  readonly #maxAgeMs: number;
  readonly #now: () => number;

  constructor(secret: string, options: { maxAgeMs?: number; now?: () => number } = {}) {
    this.#key = deriveKey(secret, PURPOSE);
    this.#maxAgeMs = options.maxAgeMs ?? DEFAULT_CREDENTIAL_MAX_AGE_MS;
    this.#now = options.now ?? Date.now;
  }

  issue(callSid: string): string {
    if (!CALL_SID_PATTERN.test(callSid)) throw new TypeError("a bridge credential is issued for a call SID");
    const issued = this.#now();
    return `v1.${callSid}.${issued}.${sign(this.#key, `${callSid}.${issued}`)}`;
  }

  verify(credential: string): BridgeCredentialCheck {
    const match = CREDENTIAL.exec(credential);
    if (!match) return { ok: false, reason: "malformed" };
    const [, callSid, issuedText, mac] = match as unknown as [string, string, string, string];
    if (!isCallSid(callSid)) return { ok: false, reason: "malformed" };
    if (!macMatches(this.#key, `${callSid}.${issuedText}`, mac)) return { ok: false, reason: "invalid" };
    const age = this.#now() - Number(issuedText);
    // A little future skew is tolerated; a value from further ahead was not issued by a sane clock.
    if (age > this.#maxAgeMs || age < -5_000) return { ok: false, reason: "expired" };
    return { ok: true, callSid };
  }
}
