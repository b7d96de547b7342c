import { CALL_SID_PATTERN } from "../calls/call-sid.js";
import { deriveKey } from "./bridge-secret.js";
import { macMatches, sign } from "./signed-value.js";

/**
 * A per-call token for a media stream. Twilio's X-Twilio-Signature on the stream's upgrade covers
 * only the stream URL, so it is the same for every call and replayable; this token, minted when
 * the call is placed and passed to Twilio as a stream parameter, arrives in
 * `start.customParameters` and ties the stream to that one CallSid for a limited time.
 */
export const STREAM_TOKEN_PARAMETER = "streamToken";

const PURPOSE = "twilio-stream-token";
/** Twilio opens the stream within seconds of streams.create; minutes leave room for slow answers. */
export const DEFAULT_STREAM_TOKEN_TTL_MS = 5 * 60_000;
const TOKEN = /^v1\.(\d{10,13})\.([A-Za-z0-9_-]{43})$/;

export type StreamTokenVerdict = "valid" | "missing" | "malformed" | "expired" | "invalid";

export class StreamTokens {
  readonly #key: Buffer;
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(secret: string, options: { ttlMs?: number; now?: () => number } = {}) {
    this.#key = deriveKey(secret, PURPOSE);
    this.#ttlMs = options.ttlMs ?? DEFAULT_STREAM_TOKEN_TTL_MS;
    this.#now = options.now ?? Date.now;
  }

  mint(callSid: string): string {
    if (!CALL_SID_PATTERN.test(callSid)) throw new TypeError("a stream token is minted for a call SID");
    const expires = this.#now() + this.#ttlMs;
    return `v1.${expires}.${sign(this.#key, `${callSid}.${expires}`)}`;
  }

  /** Whether `token` was minted by us for this very call and has not expired. */
  verify(callSid: string, token: string | undefined): StreamTokenVerdict {
    if (token === undefined || token === "") return "missing";
    const match = TOKEN.exec(token);
    if (!match) return "malformed";
    const expires = Number(match[1]);
    // The MAC is checked before the clock so a forged token learns nothing from the verdict.
    if (!macMatches(this.#key, `${callSid}.${expires}`, match[2]!)) return "invalid";
    return expires > this.#now() ? "valid" : "expired";
  }
}
