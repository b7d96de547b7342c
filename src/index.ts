// The public API: applications import from here and nowhere else.
export { Connection, type ConnectionClass, type ConnectionClassOf, type ConnectionInit } from "./cable/connection.js";
export {
  Channel,
  actionCableChannelName,
  type ChannelClass,
  type ChannelInit,
  type ActionSchemas,
  type StreamOptions,
  type JoinPresenceOptions,
  type ChannelBroadcastOptions,
} from "./cable/channel.js";
export { WHISPER_STREAM_STATE, PRESENCE_STREAM_STATE } from "./cable/state-keys.js";
export type { ErrorClass, RescueHandler } from "./cable/rescue.js";
export { ChannelRegistry } from "./cable/registry.js";
export { defineApplication, type Application } from "./cable/application.js";
export type { ActionMethods, ActionName, ActionPayload, ActionsOf, CheckedChannels } from "./cable/typed-actions.js";
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
  // Writing an adapter of one's own: see docs/architecture.md.
  defineBroadcastAdapter,
  BUILT_IN_BROADCAST_ADAPTERS,
  SENT,
  type BroadcastAdapter,
  type AnyBroadcastAdapter,
  type LoadBroadcastConfigOptions,
  type TransportContext,
  type BroadcastTransport,
  type TransportListener,
  type DeliveryOutcome,
} from "./broadcast/index.js";
export { createLogger, silentLogger, type Logger } from "./logging/logger.js";
// For an application's own start-up logs of broker and database URLs, as the adapters log theirs.
export { redactUrl } from "./broadcast/redact.js";
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
  type CableReadyConfig,
  type CableReadyStreamChannelClass,
  type CableReadyStreamParams,
} from "./cable-ready/index.js";
// --- end Cable Ready ---

// --- Stream names (src/streams): records' broadcastings, signed $pubsub / Turbo / Cable Ready names ---
export {
  broadcastingFor,
  globalIdParam,
  streamNameFrom,
  signStreamName,
  verifyStreamName,
  verifyStreamNameWithReason,
  signTurboStreamName,
  pubsubIdentifier,
  turboStreamsIdentifier,
  loadStreamsConfig,
  PUBSUB_CHANNEL,
  TURBO_STREAMS_CHANNEL,
  type Broadcastable,
  type GlobalIdentifiable,
  type Parameterizable,
  type StreamKey,
  type StreamKeyPart,
  type StreamVerification,
  type StreamVerificationFailure,
  type StreamsConfig,
} from "./streams/index.js";

// --- Presence read from the server side (src/presence) ---
export {
  PresenceApi,
  PresenceApiError,
  deriveApiSecret,
  loadPresenceApiConfig,
  type PresenceApiOptions,
  type PresenceInfo,
  type PresenceRecord,
} from "./presence/presence-api.js";

// --- JWT identification (src/jwt) ---
export {
  issueJwt,
  verifyJwt,
  jwtIdentification,
  loadJwtConfig,
  urlWithJwt,
  JwtError,
  JwtExpiredError,
  DEFAULT_JWT_TTL_SECONDS,
  DEFAULT_JWT_PARAM,
  type IssueJwtOptions,
  type VerifyJwtOptions,
  type VerifiedJwt,
  type JwtConfig,
  type JwtIdentification,
  type JwtIdentificationOptions,
} from "./jwt/index.js";

export {
  resolveApplication,
  resolveBroadcastAdapters,
  type ApplicationContext,
  type ApplicationExport,
  type ApplicationModule,
} from "./cable/application-module.js";
export { startRpcServer, type RunningRpcServer, type StartRpcServerOptions } from "./rpc/start-server.js";
export type { RpcTransportServer } from "./rpc/transport-server.js";
export { createHttpRpcHandler, type CreateHttpRpcHandlerOptions } from "./rpc/http/create-handler.js";
export type { NodeRequestListener } from "./rpc/http/listener.js";
export { deriveHttpRpcSecret } from "./rpc/http/secret.js";
export { loadRpcConfig, loadHttpRpcSecret, type RpcConfig, type HttpRpcConfig, type RpcTransport } from "./config/rpc-config.js";
export { ConfigError, isConfigError } from "./config/errors.js";
// The protocol itself, for tools that speak it (load drivers, custom transports, protocol tests).
export {
  Status,
  type CallMetadata,
  type CommandMessage,
  type CommandResponse,
  type ConnectionRequest,
  type ConnectionResponse,
  type DisconnectRequest,
  type DisconnectResponse,
  type Env,
  type EnvResponse,
} from "./rpc/messages.js";
export { PROTO_PATH, rpcClientConstructor, rpcServiceDefinition } from "./rpc/grpc/proto.js";
export { grpcServerOptions } from "./rpc/grpc/server.js";

export { onShutdownSignal, type ShutdownSignalOptions } from "./process/shutdown-signals.js";
export { logUnhandledRejections } from "./process/safety-nets.js";
export { runProcess, type RunProcessOptions, type RunningService, type ProcessContext } from "./process/run-process.js";
