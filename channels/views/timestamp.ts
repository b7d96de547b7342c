import { html, type SafeHtml } from "anycable-ts";

// Date#toISOString is a large share of rendering an event; events come in bursts within the same
// second, so the text up to the seconds is kept for the last second seen.
let cachedSecond = Number.NaN;
let cachedPrefix = "";
let lastAt = Number.NaN;
let lastRendered: SafeHtml = html``;

function isoString(at: number): string {
  const second = Math.floor(at / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedPrefix = new Date(second * 1000).toISOString().slice(0, 19);
  }
  const millis = at - second * 1000;
  return `${cachedPrefix}.${millis < 10 ? "00" : millis < 100 ? "0" : ""}${millis}Z`;
}

/**
 * A time as UTC text the browser rewrites to the viewer's local time (web/client/local-times.ts):
 * the server cannot know the viewer's time zone, and the UTC text is still right without script.
 */
export function timestamp(at: number): SafeHtml {
  // A call start renders the same time twice (its list item and its timeline entry), and calls
  // handled in one pass of the event loop often share the millisecond. SafeHtml is immutable.
  if (at !== lastAt) {
    const iso = isoString(at);
    lastAt = at;
    lastRendered = html`<time datetime="${iso}" data-local-time>${iso.slice(11, 19)} UTC</time>`;
  }
  return lastRendered;
}
