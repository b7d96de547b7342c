import type { z } from "zod";
import type { Logger } from "../logging/logger.js";
import { isZodSchema } from "../shared/zod-schema.js";
import type { BackoffOptions } from "./backoff.js";
import type { BroadcastTransport } from "./transport.js";

/** What every transport is built with besides its own settings. */
export interface TransportContext {
  /** Delay between reconnect attempts: doubles from minDelayMs, capped at maxDelayMs. */
  reconnect: BackoffOptions;
  /** Already bound to `component: "broadcast"` and the adapter's name. */
  logger: Logger;
}

/**
 * One way of reaching anycable-go, selected by `ANYCABLE_BROADCAST_ADAPTER=<name>`. An adapter
 * only says how to read its settings and how to build its transport: queueing, retries, limits
 * and the outage log lines are QueuedBroadcaster's, the same for every adapter.
 *
 * The built-in adapters are listed in adapters.ts. An application adds its own by exporting them
 * from its module as `broadcastAdapters` (for `anycable-ts serve`), or by passing them to
 * `loadBroadcastConfig(env, { adapters: [...] })` (see docs/architecture.md).
 */
export interface BroadcastAdapter<
  Name extends string = string,
  Key extends string = string,
  Env extends z.ZodRawShape = z.ZodRawShape,
  Settings = unknown,
> {
  /** The value of ANYCABLE_BROADCAST_ADAPTER that selects it: lower case, e.g. "nats". */
  readonly name: Name;
  /**
   * The BroadcastConfig key its settings are kept under, e.g. "nats" for `config.nats`. Adapters
   * reading the same variables may share one (redis and redisx both use `config.redis`).
   */
  readonly configKey: Key;
  /**
   * The variables it reads, each a zod schema of the raw string (an empty variable arrives as
   * undefined). They are checked at start-up whichever adapter is selected, so a mistyped value
   * fails early; a variable shared with another adapter must use the very same schema.
   */
  readonly env: Env;
  /** Its settings, from its variables once they have passed `env`. */
  settings(env: z.output<z.ZodObject<Env>>): Settings;
  /** A transport for these settings; it must not connect before `start()`. */
  createTransport(settings: Settings, context: TransportContext): BroadcastTransport;
  /** Completes the start-up log line "broadcasting via <kind> at <target> (…)", e.g. "subject __anycable__". */
  describe(settings: Settings): string;
}

/** Any adapter, whatever its settings: what lists and lookups hold. */
export type AnyBroadcastAdapter = BroadcastAdapter<string, string, z.ZodRawShape, unknown>;

const ADAPTER_NAME = /^[a-z][a-z0-9_-]*$/;
const METHODS = ["settings", "createTransport", "describe"] as const;

/**
 * Why `value` cannot serve as a broadcast adapter, or undefined when it can. The compiler checks
 * adapters written in TypeScript; this checks what it cannot see (an application module's
 * export, plain JavaScript) before anything is read or connected.
 */
export function broadcastAdapterProblem(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return `expected an adapter object, got ${value === null ? "null" : Array.isArray(value) ? "an array" : typeof value}`;
  }
  const candidate = value as Record<string, unknown>;
  if (typeof candidate.name !== "string" || !ADAPTER_NAME.test(candidate.name)) {
    // ANYCABLE_BROADCAST_ADAPTER is matched in lower case.
    return `its name ${JSON.stringify(candidate.name)} must be lower case letters, digits, "-" or "_", starting with a letter`;
  }
  if (typeof candidate.configKey !== "string" || candidate.configKey === "") {
    return "its configKey (where its settings are kept) must be a non-empty string";
  }
  const env = candidate.env;
  if (typeof env !== "object" || env === null || Array.isArray(env)) {
    return "its env must be an object with a zod schema per variable it reads";
  }
  const notSchema = Object.keys(env).find((variable) => !isZodSchema((env as Record<string, unknown>)[variable]));
  if (notSchema !== undefined) return `its env.${notSchema} must be a zod schema`;
  const missing = METHODS.find((method) => typeof candidate[method] !== "function");
  if (missing !== undefined) return `its ${missing} must be a function`;
  return undefined;
}

/**
 * Declares an adapter with its types inferred from the object (no annotations needed), and checks
 * what the compiler cannot (its name, for one: ANYCABLE_BROADCAST_ADAPTER is matched in lower case).
 */
export function defineBroadcastAdapter<const Name extends string, const Key extends string, Env extends z.ZodRawShape, Settings>(
  adapter: BroadcastAdapter<Name, Key, Env, Settings>,
): BroadcastAdapter<Name, Key, Env, Settings> {
  const problem = broadcastAdapterProblem(adapter);
  if (problem !== undefined) {
    // Plain JavaScript may pass anything, null included.
    const name = (adapter as { name?: unknown } | null)?.name;
    throw new TypeError(`broadcast adapter ${JSON.stringify(name)}: ${problem}`);
  }
  return adapter;
}
