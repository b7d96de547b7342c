import twilio from "twilio";
import type { TwilioRestConfig } from "../config/twilio-rest-config.js";

export type TwilioClient = twilio.Twilio;

/**
 * A Twilio REST client. `apiBaseUrl` replaces https://api.twilio.com through the SDK's own
 * `client.api.baseUrl`, so tests exercise the real SDK (auth, form encoding, error parsing)
 * against a local fake; every request is bounded by `timeoutMs`.
 */
export function createTwilioClient(config: TwilioRestConfig, timeoutMs = 10_000): TwilioClient {
  const client = twilio(config.accountSid, config.authToken, { timeout: timeoutMs });
  if (config.apiBaseUrl) client.api.baseUrl = config.apiBaseUrl;
  return client;
}
