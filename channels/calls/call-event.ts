import { randomBytes } from "node:crypto";
import { z } from "anycable-ts";

/**
 * One entry in a call's timeline. `key` is the entry's identity and also its DOM id, so the
 * registry (page loads) and the live broadcast (open pages) agree on which element an update
 * replaces: a partial transcript and its final version share a key, and a webhook Twilio
 * retries lands on the same element instead of adding a second one.
 */
export type CallEvent =
  | { kind: "start"; key: string; at: number }
  | { kind: "end"; key: string; at: number }
  | { kind: "transcript"; key: string; at: number; text: string; final: boolean }
  | { kind: "status"; key: string; at: number; text: string };

const DOM_KEY = /^[A-Za-z][A-Za-z0-9_-]{0,127}$/;
const key = z.string().regex(DOM_KEY);
const at = z.number().int().nonnegative();

/** What the registry accepts back from storage; anything else is dropped on read. */
export const callEventSchema: z.ZodType<CallEvent> = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("start"), key, at }),
  z.object({ kind: z.literal("end"), key, at }),
  z.object({ kind: z.literal("transcript"), key, at, text: z.string(), final: z.boolean() }),
  z.object({ kind: z.literal("status"), key, at, text: z.string() }),
]);

// Start and stop happen more than once when Twilio re-opens a stream for the same call, and each
// occurrence is its own entry. A per-process random tag plus a counter keeps two in the same
// millisecond apart, across RPC processes too, without asking the OS for randomness every call.
const PROCESS_TAG = randomBytes(3).toString("hex");
let occurrences = 0;
// Number#toString(36) of a millisecond time is slow in V8 (not a small integer); keep the last one.
let lastNow = Number.NaN;
let lastNowText = "";

function occurrenceKey(prefix: string, now: number): string {
  occurrences = (occurrences + 1) % 0x100000;
  if (now !== lastNow) {
    lastNow = now;
    lastNowText = now.toString(36);
  }
  return `${prefix}_${lastNowText}${PROCESS_TAG}${occurrences.toString(36)}`;
}

export function callStartedEvent(now: number = Date.now()): CallEvent {
  return { kind: "start", key: occurrenceKey("start", now), at: now };
}

export function callStoppedEvent(now: number = Date.now()): CallEvent {
  return { kind: "end", key: occurrenceKey("end", now), at: now };
}

/** `resultId` is validated by the channel (recognition-result.ts) to be DOM-safe. */
export function transcriptEvent(resultId: string, text: string, final: boolean, now: number = Date.now()): CallEvent {
  return { kind: "transcript", key: `event_${resultId}`, at: now, text, final };
}

/** `step` names the stage ("placed", "ringing", "stream"...): one element per stage. */
export function statusEvent(step: string, text: string, now: number = Date.now()): CallEvent {
  return { kind: "status", key: `status_${step.replace(/[^A-Za-z0-9_-]/g, "-")}`, at: now, text };
}
