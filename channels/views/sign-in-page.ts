import { html, type SafeHtml } from "anycable-ts";

/** The sign-in form; shows nothing of the calls (no sidebar, no stream names). */
export function signInContent(next: string, error?: string): SafeHtml {
  return html`<section class="panel" style="grid-column: 1 / -1; max-width: 28rem">
<h1>Sign in</h1>
<form class="call-form" method="post" action="/sign-in">
<input type="hidden" name="next" value="${next}">
<label for="password">Dashboard password</label>
<div class="row"><input id="password" name="password" type="password" autocomplete="current-password" required autofocus><button type="submit">Sign in</button></div>
${error ? html`<p class="form-error" role="alert">${error}</p>` : ""}
</form>
</section>`;
}
