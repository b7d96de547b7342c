import { ConfigError, z } from "anycable-ts";
import { loadBridgeSecret } from "../credentials/bridge-secret.js";
import { accountSid } from "./twilio-account.js";

export const DEFAULT_PHRASE = "Hello from the AnyCable call monitor. Say something and watch it appear on the dashboard.";

/** Everything needed to place calls through Twilio's REST API. */
export interface TwilioRestConfig {
  accountSid: string;
  authToken: string;
  /** The Twilio number calls are placed from (E.164). */
  phoneNumber: string;
  /** Where Twilio sends the call's media stream: the public wss:// URL of our media-stream bridge. */
  streamUrl: string;
  /** TWILIO_BRIDGE_SECRET (else ANYCABLE_SECRET): mints the per-call stream token the bridge checks. */
  bridgeSecret: string;
  /** What the robot says once the call is answered. */
  phrase: string;
  /** Test seam: a local fake of api.twilio.com. Unset in production. */
  apiBaseUrl: string | undefined;
}

export type TwilioRestSetup = { enabled: true; config: TwilioRestConfig } | { enabled: false; reasons: string[] };

const streamUrl = z.url({ protocol: /^wss$/, error: "must be a wss:// URL" }).refine((raw) => {
  const url = new URL(raw);
  return url.search === "" && !raw.includes("?") && url.hash === "";
}, "must not have a query string or fragment (Twilio rejects them; pass values as <Parameter>)");

const fields = {
  TWILIO_ACCOUNT_SID: accountSid,
  TWILIO_AUTH_TOKEN: z.string().regex(/^\S+$/, "must not contain spaces"),
  TWILIO_PHONE_NUMBER: z.e164({ error: "must be an E.164 number such as +15551234567" }),
  TWILIO_STREAM_URL: streamUrl,
} as const;

const optionalFields = {
  TWILIO_PHRASE: z.string().trim().min(1).max(500),
  TWILIO_API_BASE_URL: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }),
} as const;

/**
 * Reads the Twilio REST settings. Missing or invalid ones disable placing calls — with the
 * reasons, for the form to show — and never stop the dashboard from serving.
 */
export function loadTwilioRestSetup(env: NodeJS.ProcessEnv): TwilioRestSetup {
  const reasons: string[] = [];
  const values: Record<string, string> = {};
  for (const [name, schema] of Object.entries(fields)) {
    const raw = env[name];
    if (raw === undefined || raw.trim() === "") {
      reasons.push(`${name} is not set`);
      continue;
    }
    const parsed = schema.safeParse(raw);
    if (parsed.success) values[name] = parsed.data;
    else reasons.push(`${name} ${parsed.error.issues[0]?.message ?? "is invalid"}`);
  }
  for (const [name, schema] of Object.entries(optionalFields)) {
    const raw = env[name];
    if (raw === undefined || raw.trim() === "") continue;
    const parsed = schema.safeParse(raw);
    if (parsed.success) values[name] = parsed.data;
    else reasons.push(`${name} ${parsed.error.issues[0]?.message ?? "is invalid"}`);
  }
  let bridgeSecret: string | undefined;
  try {
    bridgeSecret = loadBridgeSecret(env);
    if (bridgeSecret === undefined)
      reasons.push("TWILIO_BRIDGE_SECRET (or ANYCABLE_SECRET) is not set: the bridge could not verify the stream");
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    reasons.push(error.message.replace(/^[^\n]*\n\s*/, ""));
  }
  if (reasons.length > 0 || bridgeSecret === undefined) return { enabled: false, reasons };
  return {
    enabled: true,
    config: {
      accountSid: values.TWILIO_ACCOUNT_SID as string,
      authToken: values.TWILIO_AUTH_TOKEN as string,
      phoneNumber: values.TWILIO_PHONE_NUMBER as string,
      streamUrl: values.TWILIO_STREAM_URL as string,
      bridgeSecret,
      phrase: values.TWILIO_PHRASE ?? DEFAULT_PHRASE,
      apiBaseUrl: values.TWILIO_API_BASE_URL,
    },
  };
}

/** The auth token alone: status webhooks can be verified even when placing calls is disabled. */
export function loadTwilioAuthToken(env: NodeJS.ProcessEnv): string | undefined {
  const raw = env.TWILIO_AUTH_TOKEN;
  return raw === undefined || raw.trim() === "" ? undefined : raw;
}
