import { html, streamFromTag, type SafeHtml } from "anycable-ts";
import type { LiveCall } from "../calls/call-registry.js";
import { callListItemHtml } from "./call-list-item.js";
import { callForm, type CallFormState } from "./call-form.js";
import { CALLS_LIST_ID, CALLS_STREAM } from "./live-regions.js";

/** The live call list (kept current over the `calls` stream) and the call form. */
export function sidebar(liveCalls: readonly LiveCall[], form: CallFormState, secret: string): SafeHtml {
  // No whitespace inside #calls: the "no live calls" note is CSS on #calls:empty.
  return html`<aside>
<section class="panel">
<h2>Live calls</h2>
${streamFromTag(CALLS_STREAM, secret)}
<ul id="${CALLS_LIST_ID}" data-resync-url="/live-calls">${liveCalls.map((call) => callListItemHtml(call.sid, call.startedAt))}</ul>
</section>
${callForm(form)}
</aside>`;
}
