import { html, type SafeHtml } from "anycable-ts";

export function notFoundContent(message: string): SafeHtml {
  return html`<section class="not-found" style="grid-column: 1 / -1">
<h1>Not found</h1>
<p class="muted">${message}</p>
<p><a href="/">Back to the live calls</a></p>
</section>`;
}
