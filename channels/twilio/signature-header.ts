/**
 * The header Twilio signs its requests with (an HMAC-SHA1, keyed by the auth token, over the URL
 * and the form parameters): status callbacks to the dashboard and media-stream upgrades to the
 * bridge. The simulator signs with it as Twilio does.
 */
export const TWILIO_SIGNATURE_HEADER = "x-twilio-signature";
