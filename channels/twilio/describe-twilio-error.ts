import twilio from "twilio";

/** A sentence for the person at the dashboard: what Twilio said, or why it could not be asked. */
export function describeTwilioError(error: unknown): string {
  if (error instanceof twilio.RestException) {
    const code = error.code ? `, error ${error.code}` : "";
    return `Twilio refused the request: ${error.message} (HTTP ${error.status}${code})`;
  }
  if (error instanceof Error) return `Could not reach Twilio: ${error.message}`;
  return "Could not reach Twilio";
}
