import twilio from "twilio";
import { z } from "anycable-ts";
import { callSid } from "../calls/call-sid.js";

/** The fields of Twilio's status callback this app uses; Twilio sends many more. */
export const statusCallbackParams = z.object({
  CallSid: callSid,
  CallStatus: z.string().regex(/^[a-z-]{1,32}$/, "expected a Twilio call status such as ringing or completed"),
  // Twilio numbers a call's status callbacks from 0 and stamps each (RFC 2822, e.g.
  // "Tue, 13 Jun 2023 20:39:04 +0000"); both are covered by the signature, so they identify a replay.
  SequenceNumber: z
    .string()
    .regex(/^\d{1,9}$/, "expected Twilio's SequenceNumber")
    .transform(Number),
  Timestamp: z
    .string()
    .max(64)
    .transform((raw) => Date.parse(raw))
    .refine((ms) => Number.isFinite(ms), "expected Twilio's Timestamp (RFC 2822)"),
});

/** A signed callback older than this is refused even if its sequence number was forgotten. */
export const STATUS_CALLBACK_MAX_AGE_MS = 15 * 60 * 1000;
/** Clocks differ; a callback stamped further ahead than this is refused. */
export const STATUS_CALLBACK_MAX_SKEW_MS = 5 * 60 * 1000;

/** Why a signed callback's Timestamp makes it unacceptable, or undefined if it is fresh. */
export function staleness(timestamp: number, now: number = Date.now()): string | undefined {
  if (timestamp < now - STATUS_CALLBACK_MAX_AGE_MS) return `sent ${Math.round((now - timestamp) / 1000)} s ago`;
  if (timestamp > now + STATUS_CALLBACK_MAX_SKEW_MS) return `stamped ${Math.round((timestamp - now) / 1000)} s in the future`;
  return undefined;
}

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
