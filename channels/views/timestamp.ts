import { html, type SafeHtml } from "../../src/index.js";

/**
 * A time as UTC text the browser rewrites to the viewer's local time (web/client/local-times.ts):
 * the server cannot know the viewer's time zone, and the UTC text is still right without script.
 */
export function timestamp(at: number): SafeHtml {
  const date = new Date(at);
  const iso = date.toISOString();
  return html`<time datetime="${iso}" data-local-time>${iso.slice(11, 19)} UTC</time>`;
}
