// The broadcasting API: one Broadcaster per process, built from the environment.
export type { Broadcaster, Publication, BroadcastMeta, RemoteCommand, DisconnectCommand } from "./broadcaster.js";
export { loadBroadcastConfig, deriveBroadcastKey, BROADCAST_ADAPTERS, type BroadcastConfig, type BroadcastAdapterName } from "./config.js";
export { createBroadcaster, createTransport } from "./factory.js";
export { QueuedBroadcaster, type QueuedBroadcasterOptions } from "./queued-broadcaster.js";
export type { BroadcastTransport, TransportListener, DeliveryOutcome } from "./transport.js";
export { BroadcastError, BroadcastQueueFullError, BroadcastClosedError, BroadcastRejectedError } from "./errors.js";
export { encodePublication, encodeBatch, encodeCommand } from "./payload.js";
