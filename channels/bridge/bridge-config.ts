import { ConfigError, z } from "anycable-ts";
import { accountSid } from "../config/twilio-account.js";
import { loadBridgeSecret } from "../credentials/bridge-secret.js";
import { DEFAULT_FLUSH_TIMEOUT_MS } from "./stream-rules.js";

export const DEFAULT_BRIDGE_HOST = "127.0.0.1:8081";
export const DEFAULT_HEARTBEAT_INTERVAL_SECONDS = 30;

export interface BridgeConfig {
  /** TWILIO_BRIDGE_HOST: where the bridge listens (plain ws://; TLS ends at a proxy or tunnel in front). */
  host: string;
  port: number;
  /** CABLE_URL: anycable-go's Action Cable endpoint. */
  cableUrl: string;
  /** TWILIO_STREAM_URL: the public wss:// URL Twilio connects to; signatures are computed over it. */
  streamUrl: string;
  authToken: string;
  accountSid: string;
  /** TWILIO_BRIDGE_SECRET, else ANYCABLE_SECRET. */
  secret: string;
  heartbeatIntervalMs: number;
  flushTimeoutMs: number;
  /** Most simultaneous streams; more are answered 503 before the upgrade. */
  maxStreams: number;
}

const hostPort = z.string().regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, "must be host:port, e.g. 127.0.0.1:8081");
const positive = (what: string) =>
  z.coerce
    .number({ error: `must be ${what}` })
    .int(`must be ${what}`)
    .positive(`must be ${what}`);

/**
 * Everything the bridge needs, read from the environment; every problem is reported at once, since
 * a bridge that starts misconfigured refuses every real call without anyone watching.
 */
export function loadBridgeConfig(env: NodeJS.ProcessEnv): BridgeConfig {
  const problems: string[] = [];
  const read = <T>(name: string, schema: z.ZodType<T>, fallback?: string): T | undefined => {
    const raw = env[name] === undefined || env[name] === "" ? fallback : env[name];
    if (raw === undefined) {
      problems.push(`${name}: is not set`);
      return undefined;
    }
    const parsed = schema.safeParse(raw);
    if (parsed.success) return parsed.data;
    problems.push(`${name}: ${parsed.error.issues[0]?.message ?? "invalid"}`);
    return undefined;
  };
  const host = read("TWILIO_BRIDGE_HOST", hostPort, DEFAULT_BRIDGE_HOST);
  const cableUrl = read("CABLE_URL", z.url({ protocol: /^wss?$/, error: "must be a ws:// or wss:// URL" }));
  const streamUrl = read("TWILIO_STREAM_URL", z.url({ protocol: /^wss$/, error: "must be the public wss:// URL Twilio connects to" }));
  const authToken = read("TWILIO_AUTH_TOKEN", z.string().regex(/^\S+$/, "must not contain spaces"));
  const account = read("TWILIO_ACCOUNT_SID", accountSid);
  const heartbeat = read(
    "TWILIO_BRIDGE_HEARTBEAT_INTERVAL",
    positive("a whole number of seconds"),
    String(DEFAULT_HEARTBEAT_INTERVAL_SECONDS),
  );
  const maxStreams = read("TWILIO_BRIDGE_MAX_STREAMS", positive("a positive whole number"), "200");
  let secret: string | undefined;
  try {
    secret = loadBridgeSecret(env);
    if (secret === undefined) problems.push("TWILIO_BRIDGE_SECRET: is not set (nor ANYCABLE_SECRET to derive it from)");
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(error.message.split("\n").slice(1).join(" ").trim());
  }
  if (problems.length > 0 || !host || !cableUrl || !streamUrl || !authToken || !account || !heartbeat || !maxStreams || !secret) {
    throw new ConfigError(`Invalid media-stream bridge configuration:\n${problems.map((p) => `  ${p}`).join("\n")}`);
  }
  const at = host.lastIndexOf(":");
  return {
    host: host.slice(0, at).replace(/^\[|\]$/g, ""),
    port: Number(host.slice(at + 1)),
    cableUrl,
    streamUrl,
    authToken,
    accountSid: account,
    secret,
    heartbeatIntervalMs: heartbeat * 1000,
    flushTimeoutMs: DEFAULT_FLUSH_TIMEOUT_MS,
    maxStreams,
  };
}
