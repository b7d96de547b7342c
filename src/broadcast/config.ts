import { z } from "zod";
import { envPositiveInt, parseEnv } from "../config/env.js";
import type { AnyBroadcastAdapter, BroadcastAdapter } from "./adapter.js";
import { BUILT_IN_BROADCAST_ADAPTERS, type BroadcastAdapterName, type BuiltInBroadcastAdapter } from "./adapters.js";
import type { BackoffOptions } from "./backoff.js";

export { deriveBroadcastKey, DEFAULT_HTTP_BROADCAST_URL, DEFAULT_HTTP_BROADCAST_URL_WITH_KEY } from "./http.js";

/** The variables of the broadcaster itself, whichever adapter it uses. */
const commonEnv = {
  ANYCABLE_BROADCAST_QUEUE_SIZE: envPositiveInt.default(10_000),
  ANYCABLE_BROADCAST_FLUSH_TIMEOUT: envPositiveInt.default(5),
  ANYCABLE_BROADCAST_SETTLE_ON: z
    .enum(["accepted", "delivered"], { error: (issue) => `expected "accepted" or "delivered", got ${JSON.stringify(issue.input)}` })
    .default("accepted"),
};

/** What configures the broadcaster whichever adapter it uses. */
export interface BroadcastSettings<Name extends string = BroadcastAdapterName> {
  /** The selected adapter (`ANYCABLE_BROADCAST_ADAPTER`, default `nats`). */
  adapter: Name;
  /** Every adapter this config was read with, built-in first: createBroadcaster looks `adapter` up here. */
  adapters: readonly AnyBroadcastAdapter[];
  /** Most publications held (queued or awaiting the broker's acknowledgement) before publishing rejects. */
  queueSize: number;
  /** How long close() waits for pending publications before rejecting the rest. */
  flushTimeoutMs: number;
  /** Delay between reconnect / retry attempts: doubles from minDelayMs, capped at maxDelayMs. */
  reconnect: BackoffOptions;
  /**
   * When a broadcast's promise settles (`ANYCABLE_BROADCAST_SETTLE_ON`): "accepted" (default) once
   * queued, so a broker outage never stalls an RPC call; "delivered" once the broker acknowledged
   * it, as the Ruby gem's broadcast returns, so a process killed right after answering a call
   * cannot take that call's broadcasts with it.
   */
  settleOn?: "accepted" | "delivered";
}

/** Each adapter's settings under its configKey: `config.nats`, `config.redis`, `config.http`, … */
export type AdapterSettings<A extends AnyBroadcastAdapter> = {
  [Adapter in A as Adapter["configKey"]]: Adapter extends BroadcastAdapter<string, string, z.ZodRawShape, infer S> ? S : never;
};

/**
 * The broadcaster's configuration: shared settings plus every adapter's own (all are read, so a
 * mistake in any variable shows at start-up). `Extra` is the application's own adapters, if any.
 */
export type BroadcastConfig<Extra extends AnyBroadcastAdapter = never> = BroadcastSettings<BroadcastAdapterName | Extra["name"]> &
  AdapterSettings<BuiltInBroadcastAdapter | Extra>;

export interface LoadBroadcastConfigOptions<Extra extends readonly AnyBroadcastAdapter[]> {
  /** Adapters of the application's own, selectable by ANYCABLE_BROADCAST_ADAPTER beside the built-in ones. */
  adapters?: Extra;
}

/** What the shared variables parse to. */
interface SharedValues {
  ANYCABLE_BROADCAST_ADAPTER: string;
  ANYCABLE_BROADCAST_QUEUE_SIZE: number;
  ANYCABLE_BROADCAST_FLUSH_TIMEOUT: number;
  ANYCABLE_BROADCAST_SETTLE_ON: "accepted" | "delivered";
}

/**
 * One schema for the shared variables and every adapter's, so all problems are listed at once.
 * A variable two adapters read must be the very same schema; the shared ones are the broadcaster's.
 */
function envShape(adapters: readonly AnyBroadcastAdapter[]): z.ZodRawShape {
  const names = adapters.map((adapter) => adapter.name);
  const adapter = z
    .string()
    .trim()
    .toLowerCase()
    .pipe(
      z.enum(names as [string, ...string[]], {
        error: (issue) => `unknown broadcast adapter ${JSON.stringify(issue.input)}; expected one of ${names.join(", ")}`,
      }),
    );
  const shared = { ANYCABLE_BROADCAST_ADAPTER: adapter.default("nats"), ...commonEnv };
  const shape: Record<string, z.core.$ZodType> = { ANYCABLE_BROADCAST_ADAPTER: shared.ANYCABLE_BROADCAST_ADAPTER };
  const owners = new Map<string, string>(Object.keys(shared).map((variable) => [variable, "the broadcaster"]));
  for (const { name, env } of adapters) {
    for (const [variable, schema] of Object.entries(env)) {
      const owner = owners.get(variable);
      if (owner !== undefined && shape[variable] !== schema) {
        throw new TypeError(`broadcast adapter "${name}" reads ${variable} with another schema than ${owner}`);
      }
      shape[variable] = schema;
      owners.set(variable, `adapter "${name}"`);
    }
  }
  // The shared settings last, as they were listed before adapters were modules.
  return { ...shape, ...commonEnv };
}

const SHARED_KEYS: ReadonlySet<string> = new Set([
  "adapter",
  "adapters",
  "queueSize",
  "flushTimeoutMs",
  "reconnect",
  "settleOn",
] satisfies (keyof BroadcastSettings)[]);

/** Names select adapters and keys hold their settings: neither may be taken twice. */
function checkNamesAndKeys(adapters: readonly AnyBroadcastAdapter[]): void {
  const names = new Set<string>();
  const settingsByKey = new Map<string, AnyBroadcastAdapter["settings"]>();
  for (const { name, configKey, settings } of adapters) {
    if (names.has(name)) throw new TypeError(`two broadcast adapters are named "${name}"`);
    names.add(name);
    if (SHARED_KEYS.has(configKey)) throw new TypeError(`broadcast adapter "${name}" cannot keep its settings under "${configKey}"`);
    const sharing = settingsByKey.get(configKey);
    if (sharing !== undefined && sharing !== settings) {
      throw new TypeError(`broadcast adapter "${name}" keeps other settings under "${configKey}" than an adapter before it`);
    }
    settingsByKey.set(configKey, settings);
  }
}

/**
 * Checks an application's adapters beside the built-in ones without reading any variable: no name
 * or settings key taken twice, a shared variable read with the very same schema. Throws a
 * TypeError naming the clash; loadBroadcastConfig makes the same checks.
 */
export function checkBroadcastAdapters(adapters: readonly AnyBroadcastAdapter[]): void {
  const all = [...BUILT_IN_BROADCAST_ADAPTERS, ...adapters];
  checkNamesAndKeys(all);
  envShape(all);
}

export function loadBroadcastConfig<const Extra extends readonly AnyBroadcastAdapter[] = []>(
  env: NodeJS.ProcessEnv = process.env,
  options: LoadBroadcastConfigOptions<Extra> = {},
): BroadcastConfig<Extra[number]> {
  const adapters: readonly AnyBroadcastAdapter[] = [...BUILT_IN_BROADCAST_ADAPTERS, ...(options.adapters ?? [])];
  checkNamesAndKeys(adapters);
  const values = parseEnv(z.object(envShape(adapters)), env, "broadcasting") as SharedValues & Record<string, unknown>;

  const settings: Record<string, unknown> = {};
  for (const adapter of adapters) settings[adapter.configKey] = adapter.settings(values);
  const common: BroadcastSettings<string> = {
    adapter: values.ANYCABLE_BROADCAST_ADAPTER,
    adapters,
    queueSize: values.ANYCABLE_BROADCAST_QUEUE_SIZE,
    flushTimeoutMs: values.ANYCABLE_BROADCAST_FLUSH_TIMEOUT * 1000,
    reconnect: { minDelayMs: 100, maxDelayMs: 5_000 },
    settleOn: values.ANYCABLE_BROADCAST_SETTLE_ON,
  };
  return { ...settings, ...common } as BroadcastConfig<Extra[number]>;
}
