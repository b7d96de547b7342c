import { randomBytes } from "node:crypto";
import { z } from "anycable-ts";

// Twilio prints SIDs as "CA" + 32 lower-case hex digits. Accepting other casings would let one
// call appear under two identifiers (two list rows, two streams), so anything else is refused.
export const CALL_SID_PATTERN = /^CA[0-9a-f]{32}$/;

export const callSid = z.string().regex(CALL_SID_PATTERN, 'expected a Twilio call SID: "CA" followed by 32 lower-case hex digits');

export function isCallSid(value: unknown): value is string {
  return typeof value === "string" && CALL_SID_PATTERN.test(value);
}

/** A fresh call SID in Twilio's shape, for simulated calls and tests. */
export function randomCallSid(): string {
  return `CA${randomBytes(16).toString("hex")}`;
}
