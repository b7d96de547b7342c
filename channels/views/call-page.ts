import { html, streamFromTag, unsafeHtml, type SafeHtml } from "anycable-ts";
import { isCallSid } from "../calls/call-sid.js";
import type { CallEvent } from "../calls/call-event.js";
import type { TimelineSnapshot } from "../calls/call-registry.js";
import { callEventHtml } from "./call-event-html.js";
import { callListItemId } from "./call-list-item.js";
import { callStream, TIMELINE_ID } from "./live-regions.js";

/**
 * One call's timeline, kept current over its `call_<sid>` stream. `sid` must be validated.
 * `data-seq` is the timeline's sequence number as rendered (absent when the registry was down):
 * the client reloads the timeline from `data-resync-url` when a live update skips a number, when
 * its subscription is (re)confirmed, and now and then, so nothing lost in between stays lost.
 */
export function callContent(sid: string, snapshot: TimelineSnapshot | undefined, secret: string): SafeHtml {
  const events = snapshot?.events ?? [];
  return html`<section>
<div class="timeline-head"><h1>Call <code>${sid}</code></h1><span class="muted">Transcript and events, live</span></div>
${streamFromTag(callStream(sid), secret)}
<div id="${TIMELINE_ID}" aria-live="polite" data-resync-url="/calls/${sid}/events"${snapshot ? html` data-seq="${String(snapshot.seq)}"` : ""}>${timelineHtml(events)}</div>
</section>`;
}

export function timelineHtml(events: readonly CallEvent[]): SafeHtml {
  return html`${events.map((event) => callEventHtml(event))}`;
}

/** Highlights the open call in the list, including when its row arrives later over the stream. */
export function currentCallStyle(sid: string): SafeHtml {
  // Only a validated sid (letters and digits) may go into this unescaped selector.
  if (!isCallSid(sid)) throw new TypeError("currentCallStyle needs a validated call SID");
  return unsafeHtml(`<style>#${callListItemId(sid)} a { background: #fef3f2; }</style>`);
}
