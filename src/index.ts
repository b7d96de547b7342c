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
export { createLogger, silentLogger, type Logger } from "./logging/logger.js";
export { z } from "zod";
