// The built-in adapters, in the order error messages list them. A new built-in adapter is one
// module (see nats.ts) plus its entry here; an application's own goes to loadBroadcastConfig.
import { httpAdapter } from "./http.js";
import { natsAdapter } from "./nats.js";
import { redisAdapter } from "./redis.js";
import { redisxAdapter } from "./redisx.js";

export const BUILT_IN_BROADCAST_ADAPTERS = [natsAdapter, redisAdapter, redisxAdapter, httpAdapter] as const;

export type BuiltInBroadcastAdapter = (typeof BUILT_IN_BROADCAST_ADAPTERS)[number];
export type BroadcastAdapterName = BuiltInBroadcastAdapter["name"];

/** The built-in adapters' names, e.g. for a CLI's help. */
export const BROADCAST_ADAPTERS: readonly BroadcastAdapterName[] = BUILT_IN_BROADCAST_ADAPTERS.map((adapter) => adapter.name);
