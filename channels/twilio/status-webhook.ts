import twilio from "twilio";
import { z } from "anycable-ts";
import { callSid } from "../call-sid.js";

/** The fields of Twilio's status callback this app uses; Twilio sends many more. */
export const statusCallbackParams = z.object({
  CallSid: callSid,
  CallStatus: z.string().regex(/^[a-z-]{1,32}$/, "expected a Twilio call status such as ringing or completed"),
});

/**
 * Whether a webhook really comes from Twilio: `X-Twilio-Signature` must be the HMAC-SHA1, keyed by
 * our auth token, of the exact public URL Twilio called plus the sorted POST parameters. The URL
 * must be the one Twilio saw (PUBLIC_URL), not the one this server received behind a proxy.
 */
export function isSignedByTwilio(
  authToken: string,
  signature: string | undefined,
  publicUrl: string,
  params: Record<string, string>,
): boolean {
  if (!signature) return false;
  return twilio.validateRequest(authToken, signature, publicUrl, params);
}
