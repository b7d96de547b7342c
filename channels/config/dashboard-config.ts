import { ConfigError, loadCableReadyConfig, z } from "anycable-ts";

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
}

const schema = z.object({
  HOST: z.string().trim().min(1).default("127.0.0.1"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  CABLE_URL: z
    .url({ protocol: /^wss?$/, error: "must be a ws:// or wss:// URL, e.g. ws://localhost:8080/cable" })
    .default("ws://localhost:8080/cable"),
  PUBLIC_URL: z.url({ protocol: /^https?$/, error: "must be an http(s) URL, e.g. https://calls.example.com" }).optional(),
});

function blankToUndefined(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}

/** The dashboard's settings; throws ConfigError with every problem at once. */
export function loadDashboardConfig(env: NodeJS.ProcessEnv): DashboardConfig {
  const parsed = schema.safeParse({
    HOST: blankToUndefined(env.HOST),
    PORT: blankToUndefined(env.PORT),
    CABLE_URL: blankToUndefined(env.CABLE_URL),
    PUBLIC_URL: blankToUndefined(env.PUBLIC_URL),
  });
  const problems = parsed.success ? [] : parsed.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`);
  const { secret } = loadCableReadyConfig(env);
  if (!secret) {
    problems.push(
      "  ANYCABLE_CABLE_READY_SECRET (or ANYCABLE_STREAMS_SECRET / ANYCABLE_SECRET): not set. Pages subscribe to signed " +
        "Cable Ready streams; start anycable-go with --cable_ready --cable_ready_secret=<the same secret>.",
    );
  }
  if (!parsed.success || !secret) throw new ConfigError(`Invalid dashboard configuration:\n${problems.join("\n")}`);
  const { HOST, PORT, CABLE_URL, PUBLIC_URL } = parsed.data;
  return {
    host: HOST,
    port: PORT,
    cableUrl: CABLE_URL,
    cableReadySecret: secret,
    publicUrl: (PUBLIC_URL ?? `http://localhost:${PORT}`).replace(/\/+$/, ""),
    publicUrlIsExplicit: PUBLIC_URL !== undefined,
  };
}
