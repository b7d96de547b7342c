/**
 * The secret that signs Cable Ready stream names, resolved the way anycable-go resolves its own
 * (`--cable_ready_secret`, falling back to `--streams_secret`, then `--secret`), so both halves
 * agree on the key when they read the same environment. An empty or blank variable counts as
 * unset. No secret is not an error here: pages then cannot embed signed streams and the
 * `CableReady::Stream` channel refuses subscriptions, which the caller may accept or refuse.
 */
import { z } from "zod";
import { parseEnv } from "../config/env.js";

export const CABLE_READY_SECRET_VARIABLES = ["ANYCABLE_CABLE_READY_SECRET", "ANYCABLE_STREAMS_SECRET", "ANYCABLE_SECRET"] as const;

export type CableReadySecretVariable = (typeof CABLE_READY_SECRET_VARIABLES)[number];

export interface CableReadyConfig {
  /** The signing secret, exactly as set (not trimmed: both halves must use the same bytes). */
  secret: string | undefined;
  /** Which variable it came from, for start-up logs. */
  secretSource: CableReadySecretVariable | undefined;
}

const schema = z.object({
  ANYCABLE_CABLE_READY_SECRET: z.string().optional(),
  ANYCABLE_STREAMS_SECRET: z.string().optional(),
  ANYCABLE_SECRET: z.string().optional(),
});

/** Reads the Cable Ready signing secret; throws ConfigError when the environment is unusable. */
export function loadCableReadyConfig(env: NodeJS.ProcessEnv = process.env): CableReadyConfig {
  const values = parseEnv(schema, env, "Cable Ready");
  for (const name of CABLE_READY_SECRET_VARIABLES) {
    const secret = values[name];
    if (secret !== undefined) return { secret, secretSource: name };
  }
  return { secret: undefined, secretSource: undefined };
}
