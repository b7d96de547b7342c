import { z } from "zod";
import type { StateStore } from "../../cable/state.js";
import type { Env, EnvResponse } from "../messages.js";

const stringMap = z.record(z.string(), z.string());

const envSchema = z.object({
  url: z.string().default(""),
  headers: stringMap.default({}),
  cstate: stringMap.default({}),
  istate: stringMap.default({}),
});

function isStringMap(value: unknown): value is Record<string, string> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  for (const key in value) if (typeof (value as Record<string, unknown>)[key] !== "string") return false;
  return true;
}

/** A request's env with every field present; anything malformed reads as empty. */
export function normaliseEnv(env: Env | null | undefined): Env {
  // What proto-loader decodes (defaults on) is already the right shape; checking that by hand is
  // the hot path, and zod's parse with defaults is kept for anything else.
  if (env && typeof env.url === "string" && isStringMap(env.headers) && isStringMap(env.cstate) && isStringMap(env.istate)) return env;
  const parsed = envSchema.safeParse(env ?? {});
  // proto-loader already types these; anything that still fails comes from a broken client.
  return parsed.success ? parsed.data : { url: "", headers: {}, cstate: {}, istate: {} };
}

/**
 * One subscription's channel state from a Disconnect's `env.istate`, where anycable-go keeps each
 * channel's state map JSON-encoded under its identifier; undefined when absent or unreadable.
 */
export function channelStateOf(istate: Readonly<Record<string, string>>, identifier: string): Record<string, string> | undefined {
  const raw = istate[identifier];
  if (!raw) return undefined;
  try {
    const parsed = stringMap.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The state changes a response carries (anycable-go merges them; "" deletes); null when nothing changed. */
export function envDelta(cstate: StateStore, istate: StateStore | undefined): EnvResponse | null {
  if (!cstate.changed && !istate?.changed) return null;
  return { cstate: cstate.changes(), istate: istate?.changes() ?? {} };
}
