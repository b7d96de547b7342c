// The public API: applications import from here and nowhere else.
export { Connection, type ConnectionClass, type ConnectionInit } from "./cable/connection.js";
export { Channel, type ChannelClass, type ChannelInit, type ActionSchemas } from "./cable/channel.js";
export { ChannelRegistry } from "./cable/registry.js";
export { defineApplication, type Application } from "./cable/application.js";
export { Request } from "./cable/request.js";
export { StateStore } from "./cable/state.js";
export type { Identifiers } from "./cable/identifiers.js";
export {
  UnauthorizedError,
  ChannelRefusal,
  UnknownChannelError,
  MalformedIdentifierError,
  InvalidParamsError,
  UnknownActionError,
  InvalidActionDataError,
  DefinitionError,
} from "./cable/errors.js";
export type { Broadcaster, Publication, BroadcastMeta, RemoteCommand, DisconnectCommand } from "./broadcast/broadcaster.js";
export {
  createBroadcaster,
  loadBroadcastConfig,
  deriveBroadcastKey,
  QueuedBroadcaster,
  BroadcastError,
  BroadcastQueueFullError,
  BroadcastClosedError,
  BroadcastRejectedError,
  type BroadcastConfig,
  type BroadcastAdapterName,
} from "./broadcast/index.js";
export { createLogger, silentLogger, type Logger } from "./logging/logger.js";
export { z } from "zod";

// --- Cable Ready (src/cable-ready) ---
// Per-operation option types are reachable as OperationOptionsMap["append"] etc.
export {
  CableReady,
  OperationBuilder,
  operations,
  html,
  unsafeHtml,
  isSafeHtml,
  SafeHtml,
  streamNameFrom,
  signStreamName,
  verifyStreamName,
  verifyStreamNameWithReason,
  streamFromTag,
  loadCableReadyConfig,
  createCableReadyStreamChannel,
  CABLE_READY_STREAM_CHANNEL,
  CABLE_READY_VERSION,
  OPERATION_NAMES,
  type CustomOperationOptions,
  type OperationName,
  type OperationOptionsMap,
  type CableReadyOperation,
  type CableReadyPayload,
  type HtmlValue,
  type StreamKey,
  type StreamKeyPart,
  type StreamVerification,
  type StreamVerificationFailure,
  type CableReadyConfig,
  type CableReadyStreamChannelClass,
  type CableReadyStreamParams,
} from "./cable-ready/index.js";
// --- end Cable Ready ---

export { resolveApplication, type ApplicationContext, type ApplicationExport } from "./cable/application-module.js";
export { startRpcServer, type RunningRpcServer, type RpcTransportServer, type StartRpcServerOptions } from "./rpc/start-server.js";
export { createHttpRpcHandler, type CreateHttpRpcHandlerOptions } from "./rpc/http/create-handler.js";
export type { NodeRequestListener } from "./rpc/http/listener.js";
export { deriveHttpRpcSecret } from "./rpc/http/secret.js";
export { loadRpcConfig, loadHttpRpcSecret, type RpcConfig, type HttpRpcConfig, type RpcTransport } from "./config/rpc-config.js";
export { ConfigError } from "./config/errors.js";

// --- Web (src/web): generic HTTP serving for application dashboards ---
export { startHttpServer, type StartHttpServerOptions, type RunningHttpServer } from "./web/http-server.js";
// --- end Web ---
export { onShutdownSignal, type ShutdownSignalOptions } from "./process/shutdown-signals.js";
export { logUnhandledRejections } from "./process/safety-nets.js";
