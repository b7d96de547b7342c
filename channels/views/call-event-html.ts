import { html, type SafeHtml } from "anycable-ts";
import type { CallEvent } from "../calls/call-event.js";
import { timestamp } from "./timestamp.js";

const LABELS: Record<CallEvent["kind"], string> = {
  start: "start",
  end: "end",
  transcript: "transcript",
  status: "twilio",
};

// The dot as an entity keeps every update ASCII: one non-ASCII character sends the whole broker
// message down the UTF-8 encoder's slow path (3-4x the cost of an ASCII one, measured per message).
const FINAL_LABEL = html`${LABELS.transcript} &middot; final`;
const PARTIAL_LABEL = html`${LABELS.transcript} &middot; partial`;

function describe(event: CallEvent): { text: string; label: string | SafeHtml; modifier: string } {
  switch (event.kind) {
    case "start":
      return { text: "Call started", label: LABELS.start, modifier: "" };
    case "end":
      return { text: "Call stopped", label: LABELS.end, modifier: "" };
    case "transcript":
      return event.final
        ? { text: event.text, label: FINAL_LABEL, modifier: " is-final" }
        : { text: event.text, label: PARTIAL_LABEL, modifier: " is-partial" };
    case "status":
      return { text: event.text, label: LABELS.status, modifier: "" };
  }
}

/** One timeline entry; its id is the event key, which the upsert operation replaces in place. */
export function callEventHtml(event: CallEvent): SafeHtml {
  const { text, label, modifier } = describe(event);
  return html`<article id="${event.key}" class="event event-${event.kind}${modifier}"><p class="event-text">${text}</p><footer class="event-meta"><span class="event-label">${label}</span>${timestamp(event.at)}</footer></article>`;
}
