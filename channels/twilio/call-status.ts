import { statusEvent, type CallEvent } from "../calls/call-event.js";

/** Statuses after which a call will never be answered or continue. */
export const FINAL_CALL_STATUSES: ReadonlySet<string> = new Set(["completed", "busy", "failed", "no-answer", "canceled"]);

const DESCRIPTIONS: Record<string, string> = {
  queued: "Queued at Twilio",
  initiated: "Dialling…",
  ringing: "Ringing…",
  "in-progress": "Answered",
  completed: "Call completed",
  busy: "The line was busy",
  failed: "Twilio could not connect the call",
  "no-answer": "No answer",
  canceled: "Call canceled",
};

/**
 * A Twilio call status as a timeline entry. Keyed by the status, so the same status seen twice
 * (polled and then reported by a webhook, or a webhook Twilio retried) is one entry.
 */
export function callStatusEvent(status: string, now: number = Date.now()): CallEvent {
  return statusEvent(status, DESCRIPTIONS[status] ?? `Twilio status: ${status}`, now);
}
