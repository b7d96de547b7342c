import { html, type SafeHtml } from "anycable-ts";

export type CallFormState = { enabled: true; to?: string; error?: string } | { enabled: false; reasons: readonly string[] };

/** Places an outbound call; disabled, with the reasons, when Twilio is not configured. */
export function callForm(state: CallFormState): SafeHtml {
  const disabled = !state.enabled;
  const to = state.enabled ? (state.to ?? "") : "";
  const error = state.enabled && state.error ? html`<p class="form-error" role="alert">${state.error}</p>` : "";
  const note = state.enabled
    ? html`<p class="hint">International format, e.g. +15551234567. The robot says a phrase, then listens for 20 seconds.</p>`
    : html`<div class="form-note" role="note">Calls are disabled:<ul>${state.reasons.map((reason) => html`<li>${reason}</li>`)}</ul></div>`;
  return html`<section class="panel">
<h2>Place a call</h2>
<form class="call-form" method="post" action="/calls">
<fieldset${disabled ? html` disabled` : ""}>
<label for="to">Phone number</label>
<div class="row"><input id="to" name="to" type="tel" inputmode="tel" autocomplete="tel" placeholder="+15551234567" value="${to}" required><button type="submit">Call</button></div>
</fieldset>
${note}${error}
</form>
</section>`;
}
