// The broadcasting API: one Broadcaster per process, built from the environment.
export type { Broadcaster, Publication, BroadcastMeta, RemoteCommand, DisconnectCommand } from "./broadcaster.js";
export {
  loadBroadcastConfig,
  checkBroadcastAdapters,
  deriveBroadcastKey,
  type BroadcastConfig,
  type BroadcastSettings,
  type AdapterSettings,
  type LoadBroadcastConfigOptions,
} from "./config.js";
export { BUILT_IN_BROADCAST_ADAPTERS, BROADCAST_ADAPTERS, type BroadcastAdapterName } from "./adapters.js";
export {
  defineBroadcastAdapter,
  broadcastAdapterProblem,
  type BroadcastAdapter,
  type AnyBroadcastAdapter,
  type TransportContext,
} from "./adapter.js";
export { createBroadcaster, createTransport } from "./factory.js";
export { QueuedBroadcaster, type QueuedBroadcasterOptions } from "./queued-broadcaster.js";
export { SENT, type BroadcastTransport, type TransportListener, type DeliveryOutcome } from "./transport.js";
export { BroadcastError, BroadcastQueueFullError, BroadcastClosedError, BroadcastRejectedError } from "./errors.js";
export { encodePublication, encodeBatch, encodeCommand } from "./payload.js";
