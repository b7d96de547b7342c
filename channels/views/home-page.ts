import { html, type SafeHtml } from "anycable-ts";

/** The right-hand side of `/`, before a call is picked. */
export function homeContent(): SafeHtml {
  return html`<section>
<div class="timeline-head"><h1>Live calls</h1></div>
<p class="intro">Calls whose audio is streaming to AnyCable appear on the left as they start and disappear when they end.
Open one to follow its transcript live, or place a call yourself.</p>
</section>`;
}
