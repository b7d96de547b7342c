import { html, type SafeHtml } from "anycable-ts";
import type { CallEvent } from "../calls/call-event.js";
import { timestamp } from "./timestamp.js";

const LABELS: Record<CallEvent["kind"], string> = {
  start: "start",
  end: "end",
  transcript: "transcript",
  status: "twilio",
};

function describe(event: CallEvent): { text: string; label: string; modifier: string } {
  switch (event.kind) {
    case "start":
      return { text: "Call started", label: LABELS.start, modifier: "" };
    case "end":
      return { text: "Call stopped", label: LABELS.end, modifier: "" };
    case "transcript":
      return event.final
        ? { text: event.text, label: `${LABELS.transcript} · final`, modifier: " is-final" }
        : { text: event.text, label: `${LABELS.transcript} · partial`, modifier: " is-partial" };
    case "status":
      return { text: event.text, label: LABELS.status, modifier: "" };
  }
}

/** One timeline entry; its id is the event key, which the upsert operation replaces in place. */
export function callEventHtml(event: CallEvent): SafeHtml {
  const { text, label, modifier } = describe(event);
  return html`<article id="${event.key}" class="event event-${event.kind}${modifier}"><p class="event-text">${text}</p><footer class="event-meta"><span class="event-label">${label}</span>${timestamp(event.at)}</footer></article>`;
}
