import { html, type SafeHtml } from "anycable-ts";
import { timestamp } from "./timestamp.js";

export function callListItemId(sid: string): string {
  return `call_${sid}`;
}

/** A live call in the `#calls` list, linking to its page. */
export function callListItemHtml(sid: string, startedAt: number): SafeHtml {
  return html`<li id="${callListItemId(sid)}" class="call"><a href="/calls/${sid}"><span class="call-sid">${sid}</span><span class="call-since">since ${timestamp(startedAt)}</span></a></li>`;
}
