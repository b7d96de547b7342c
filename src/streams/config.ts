/**
 * The secrets that sign stream names, resolved as anycable-go resolves its own so both halves
 * agree when they read the same environment: `--streams_secret` falls back to `--secret`, and
 * `--turbo_streams_secret` to the streams secret. Blank counts as unset; "none" (anycable-go's
 * way to switch a derived secret off) means no secret.
 */
import { nonEmpty } from "../config/env.js";

export interface StreamsConfig {
  /** Signs `$pubsub` stream names (ANYCABLE_STREAMS_SECRET, else ANYCABLE_SECRET). */
  secret: string | undefined;
  /** Signs Turbo stream names (ANYCABLE_TURBO_STREAMS_SECRET, else the streams secret). */
  turboSecret: string | undefined;
}

function secretValue(env: NodeJS.ProcessEnv, name: string): string | undefined | null {
  const value = nonEmpty(env, name, "signed streams");
  if (value === "none") return null;
  return value;
}

export function loadStreamsConfig(env: NodeJS.ProcessEnv = process.env): StreamsConfig {
  const app = secretValue(env, "ANYCABLE_SECRET");
  const streams = secretValue(env, "ANYCABLE_STREAMS_SECRET");
  const secret = streams === null ? undefined : (streams ?? app ?? undefined);
  const turbo = secretValue(env, "ANYCABLE_TURBO_STREAMS_SECRET");
  const turboSecret = turbo === null ? undefined : (turbo ?? secret);
  return { secret, turboSecret };
}
