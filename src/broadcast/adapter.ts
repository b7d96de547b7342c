import type { z } from "zod";
import type { Logger } from "../logging/logger.js";
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
 * The built-in adapters are listed in adapters.ts; an application passes its own to
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

/**
 * Declares an adapter with its types inferred from the object (no annotations needed), and checks
 * its name: ANYCABLE_BROADCAST_ADAPTER is matched in lower case.
 */
export function defineBroadcastAdapter<const Name extends string, const Key extends string, Env extends z.ZodRawShape, Settings>(
  adapter: BroadcastAdapter<Name, Key, Env, Settings>,
): BroadcastAdapter<Name, Key, Env, Settings> {
  if (!ADAPTER_NAME.test(adapter.name)) {
    throw new TypeError(`broadcast adapter name ${JSON.stringify(adapter.name)} must be lower case letters, digits, "-" or "_"`);
  }
  return adapter;
}
