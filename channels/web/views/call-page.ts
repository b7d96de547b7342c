import { html, streamFromTag, unsafeHtml, type SafeHtml } from "anycable-ts";
import { callStream, isCallSid } from "../../call-sid.js";
import type { CallEvent } from "../../feed/call-event.js";
import { callEventHtml } from "../../views/call-event.js";
import { callListItemId } from "../../views/call-list-item.js";

/** One call's timeline, kept current over its `call_<sid>` stream. `sid` must be validated. */
export function callContent(sid: string, events: readonly CallEvent[], secret: string): SafeHtml {
  return html`<section>
<div class="timeline-head"><h1>Call <code>${sid}</code></h1><span class="muted">Transcript and events, live</span></div>
${streamFromTag(callStream(sid), secret)}
<div id="events" aria-live="polite">${events.map((event) => callEventHtml(event))}</div>
</section>`;
}

/** Highlights the open call in the list, including when its row arrives later over the stream. */
export function currentCallStyle(sid: string): SafeHtml {
  // Only a validated sid (letters and digits) may go into this unescaped selector.
  if (!isCallSid(sid)) throw new TypeError("currentCallStyle needs a validated call SID");
  return unsafeHtml(`<style>#${callListItemId(sid)} a { background: #fef3f2; }</style>`);
}
