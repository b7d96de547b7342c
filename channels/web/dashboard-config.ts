import { ConfigError, loadCableReadyConfig, z } from "anycable-ts";
import { parseDestinationPolicy, type DestinationPolicy } from "../twilio/destination-policy.js";

export interface DashboardConfig {
  host: string;
  port: number;
  /** The WebSocket URL browsers connect to (anycable-go's /cable). */
  cableUrl: string;
  /** Signs the Cable Ready stream names embedded in pages; anycable-go verifies them. */
  cableReadySecret: string;
  /** How Twilio and browsers reach this server, without a trailing slash. */
  publicUrl: string;
  /** Only an explicitly set PUBLIC_URL is given to Twilio as a status callback. */
  publicUrlIsExplicit: boolean;
  access: DashboardAccess;
  /** Calls placed from the dashboard per minute, for the whole process (a call costs money). */
  callsPerMinute: number;
  destinations: DestinationPolicy;
}

/** Who may use the dashboard: see the README's security model. */
export interface DashboardAccess {
  /** DASHBOARD_PASSWORD; undefined only when the dashboard is reachable from this machine alone. */
  password: string | undefined;
  /** Host names (lower case, no port) requests may name; anything else is a DNS-rebinding attempt or a mistake. */
  allowedHosts: ReadonlySet<string>;
  /** Origins a state-changing request may come from: the configured public origin. */
  allowedOrigins: ReadonlySet<string>;
  /**
   * Development (no PUBLIC_URL): also accept a loopback page posting to its own loopback origin,
   * whatever port the dashboard got (PORT=0). Safe because Host is allow-listed first.
   */
  acceptLoopbackOrigin: boolean;
  /** Session cookies carry Secure when browsers reach us over https. */
  secureCookies: boolean;
}

const LOOPBACK_HOSTS = ["localhost", "127.0.0.1", "[::1]", "::1"];
const MIN_PASSWORD_LENGTH = 12;

const schema = z.object({
  HOST: z.string().trim().min(1).default("127.0.0.1"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  CABLE_URL: z
    .url({ protocol: /^wss?$/, error: "must be a ws:// or wss:// URL, e.g. ws://localhost:8080/cable" })
    .default("ws://localhost:8080/cable"),
  PUBLIC_URL: z.url({ protocol: /^https?$/, error: "must be an http(s) URL, e.g. https://calls.example.com" }).optional(),
  DASHBOARD_PASSWORD: z.string().min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`).optional(),
  DASHBOARD_ALLOWED_HOSTS: z.string().optional(),
  DASHBOARD_CALLS_PER_MINUTE: z.coerce.number().int().min(1).max(10_000).default(5),
  TWILIO_ALLOWED_DESTINATIONS: z.string().optional(),
});

function blankToUndefined(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}

export function isLoopbackHost(host: string): boolean {
  const bare = host.toLowerCase();
  return LOOPBACK_HOSTS.includes(bare) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare);
}

/** The dashboard's settings; throws ConfigError with every problem at once. */
export function loadDashboardConfig(env: NodeJS.ProcessEnv): DashboardConfig {
  const parsed = schema.safeParse({
    HOST: blankToUndefined(env.HOST),
    PORT: blankToUndefined(env.PORT),
    CABLE_URL: blankToUndefined(env.CABLE_URL),
    PUBLIC_URL: blankToUndefined(env.PUBLIC_URL),
    // A password is taken as typed: leading or trailing spaces are part of it.
    DASHBOARD_PASSWORD: env.DASHBOARD_PASSWORD === "" ? undefined : env.DASHBOARD_PASSWORD,
    DASHBOARD_ALLOWED_HOSTS: blankToUndefined(env.DASHBOARD_ALLOWED_HOSTS),
    DASHBOARD_CALLS_PER_MINUTE: blankToUndefined(env.DASHBOARD_CALLS_PER_MINUTE),
    TWILIO_ALLOWED_DESTINATIONS: blankToUndefined(env.TWILIO_ALLOWED_DESTINATIONS),
  });
  const problems = parsed.success ? [] : parsed.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`);
  const { secret } = loadCableReadyConfig(env);
  if (!secret) {
    problems.push(
      "  ANYCABLE_CABLE_READY_SECRET (or ANYCABLE_STREAMS_SECRET / ANYCABLE_SECRET): not set. Pages subscribe to signed " +
        "Cable Ready streams; start anycable-go with --cable_ready --cable_ready_secret=<the same secret>.",
    );
  }
  let destinations: DestinationPolicy | undefined;
  if (parsed.success) {
    const policy = parseDestinationPolicy(parsed.data.TWILIO_ALLOWED_DESTINATIONS);
    if (policy.ok) destinations = policy.policy;
    else problems.push(`  TWILIO_ALLOWED_DESTINATIONS: ${policy.error}`);
  }
  if (!parsed.success || !secret || !destinations) throw new ConfigError(`Invalid dashboard configuration:\n${problems.join("\n")}`);
  const { HOST, PORT, CABLE_URL, PUBLIC_URL, DASHBOARD_PASSWORD, DASHBOARD_ALLOWED_HOSTS, DASHBOARD_CALLS_PER_MINUTE } = parsed.data;
  const publicUrl = (PUBLIC_URL ?? `http://localhost:${PORT}`).replace(/\/+$/, "");
  const publicHost = new URL(publicUrl).hostname.toLowerCase();
  // Without a password the dashboard must be reachable from this machine only: bound to loopback,
  // and not published under another name (a tunnel such as ngrok forwards to loopback).
  const exposed = !isLoopbackHost(HOST) || !isLoopbackHost(publicHost);
  if (exposed && DASHBOARD_PASSWORD === undefined) {
    throw new ConfigError(
      "Invalid dashboard configuration:\n" +
        `  DASHBOARD_PASSWORD: required when the dashboard is reachable beyond this machine (HOST=${HOST}, public URL ${publicUrl}). ` +
        "It guards placing calls (which costs money) and the live call list; set a long random one, e.g. `openssl rand -base64 24`.",
    );
  }
  return {
    host: HOST,
    port: PORT,
    cableUrl: CABLE_URL,
    cableReadySecret: secret,
    publicUrl,
    publicUrlIsExplicit: PUBLIC_URL !== undefined,
    access: {
      password: DASHBOARD_PASSWORD,
      allowedHosts: allowedHosts(HOST, publicHost, DASHBOARD_ALLOWED_HOSTS),
      allowedOrigins: new Set([new URL(publicUrl).origin]),
      acceptLoopbackOrigin: PUBLIC_URL === undefined,
      secureCookies: publicUrl.startsWith("https:"),
    },
    callsPerMinute: DASHBOARD_CALLS_PER_MINUTE,
    destinations,
  };
}

function allowedHosts(bindHost: string, publicHost: string, extra: string | undefined): ReadonlySet<string> {
  const hosts = new Set<string>([publicHost, ...LOOPBACK_HOSTS]);
  // A specific bind address is a name clients may use; a wildcard one is not a name at all.
  if (!["0.0.0.0", "::", "[::]"].includes(bindHost))
    hosts.add(bindHost.toLowerCase().includes(":") ? `[${bindHost.replace(/^\[|\]$/g, "")}]`.toLowerCase() : bindHost.toLowerCase());
  for (const name of (extra ?? "").split(",")) if (name.trim()) hosts.add(name.trim().toLowerCase());
  return hosts;
}
