import { z } from "zod";
import type { Logger } from "pino";
import type { Broadcaster } from "../broadcast/broadcaster.js";
import type { Application } from "../cable/application.js";
import { CallOutput } from "../cable/call-output.js";
import type { Channel, ChannelClass, ChannelInit } from "../cable/channel.js";
import type { Connection, ConnectionClass } from "../cable/connection.js";
import { ChannelRefusal, UnauthorizedError } from "../cable/errors.js";
import { encodeIdentifiers, type Identifiers } from "../cable/identifiers.js";
import { ChannelRegistry, type ResolvedIdentifier } from "../cable/registry.js";
import { Request } from "../cable/request.js";
import { StateStore } from "../cable/state.js";
import { isJsonObject } from "../cable/json-object.js";
import { freezeJsonData, ParseCache } from "../cable/parse-cache.js";
import { truncate } from "../cable/truncate.js";
import {
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
} from "./messages.js";
import { protocolVersionError } from "./protocol-version.js";
import { RecentSessions } from "./recent-sessions.js";

export const UNAUTHORIZED_DISCONNECT = JSON.stringify({ type: "disconnect", reason: "unauthorized", reconnect: false });

const stringMap = z.record(z.string(), z.string());

/** Entries per parse cache; each is a few hundred bytes. */
const PARSE_CACHE_SIZE = 4096;

export interface RpcHandlerOptions {
  app: Application;
  broadcaster: Broadcaster;
  logger: Logger;
  /** Framework-provided channels served beside the application's, e.g. CableReady::Stream. */
  builtinChannels?: readonly ChannelClass[];
}

type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * Maps the three AnyCable RPC calls onto the application's Connection and Channel classes.
 * It never throws: every failure becomes a response with the right status and an error_msg,
 * so one bad client or bug cannot take the server down.
 */
export class RpcHandler {
  readonly registry: ChannelRegistry;
  readonly #connectionClass: ConnectionClass;
  readonly #broadcaster: Broadcaster;
  readonly #logger: Logger;
  readonly #disconnected = new RecentSessions();
  // A subscription's identifier comes back with every perform, and a connection's identifiers
  // with every command: both are parsed once per distinct string.
  readonly #performTargets = new ParseCache<ResolvedIdentifier>(PARSE_CACHE_SIZE);
  readonly #connectionIdentifiers = new ParseCache<Identifiers>(PARSE_CACHE_SIZE);

  constructor(options: RpcHandlerOptions) {
    this.registry = new ChannelRegistry([...options.app.channels, ...(options.builtinChannels ?? [])]);
    this.#connectionClass = options.app.connection;
    this.#broadcaster = options.broadcaster;
    this.#logger = options.logger;
  }

  async connect(request: ConnectionRequest, meta: CallMetadata): Promise<ConnectionResponse> {
    const versionError = protocolVersionError(meta);
    if (versionError) return connectError(versionError);
    const env = normaliseEnv(request.env);
    const output = new CallOutput();
    const connection = this.#newConnection(meta.sid, env, output, undefined);
    try {
      await connection.connect();
    } catch (error) {
      if (error instanceof UnauthorizedError) {
        this.#logger.info({ sid: meta.sid, url: env.url }, "connection rejected: unauthorized");
        return {
          status: Status.FAILURE,
          identifiers: "",
          transmissions: [...output.transmissions, UNAUTHORIZED_DISCONNECT],
          error_msg: error.message,
          env: envResponse(connection.state, undefined),
        };
      }
      return connectError(this.#report(error, "Connect", { sid: meta.sid, url: env.url }));
    }
    const welcome = JSON.stringify(meta.sid ? { type: "welcome", sid: meta.sid } : { type: "welcome" });
    return {
      status: Status.SUCCESS,
      identifiers: encodeIdentifiers(connection.identified ? connection.identifiers : undefined),
      transmissions: [...output.transmissions, welcome],
      error_msg: "",
      env: envResponse(connection.state, undefined),
    };
  }

  async command(request: CommandMessage, meta: CallMetadata): Promise<CommandResponse> {
    const versionError = protocolVersionError(meta);
    if (versionError) return commandError(versionError);
    switch (request.command) {
      case "subscribe":
        return this.#subscribe(request, meta);
      case "unsubscribe":
        return this.#unsubscribe(request, meta);
      case "message":
        return this.#perform(request, meta);
      default:
        return commandError(`Unknown command ${JSON.stringify(request.command.slice(0, 64))}: expected subscribe, unsubscribe or message`);
    }
  }

  async disconnect(request: DisconnectRequest, meta: CallMetadata): Promise<DisconnectResponse> {
    const versionError = protocolVersionError(meta);
    if (versionError) return { status: Status.ERROR, error_msg: versionError };
    // anycable-go may repeat a Disconnect (retries on Unavailable); the callbacks run once.
    if (meta.sid && !this.#disconnected.add(meta.sid)) {
      return { status: Status.SUCCESS, error_msg: "" };
    }
    // A connection rejected at Connect still gets a Disconnect, with no identifiers: it was
    // never accepted, so there is nothing to tear down.
    if (request.identifiers === "" && request.subscriptions.length === 0) {
      return { status: Status.SUCCESS, error_msg: "" };
    }
    const env = normaliseEnv(request.env);
    const output = new CallOutput();
    const restored = this.#restoreConnection(meta.sid, env, output, request.identifiers);
    if (!restored.ok) {
      // Forgotten like any failed Disconnect, so anycable-go's retry gets ERROR again, not SUCCESS.
      if (meta.sid) this.#disconnected.delete(meta.sid);
      return { status: Status.ERROR, error_msg: this.#report(restored.error, "Disconnect", { sid: meta.sid }) };
    }
    const connection = restored.value;
    const failures: string[] = [];
    // Every subscription gets its unsubscribed() even when an earlier one fails.
    for (const identifier of request.subscriptions) {
      const message = await this.#unsubscribeOnDisconnect(connection, identifier, env, output);
      if (message) failures.push(message);
    }
    if (connection.identified) {
      try {
        await connection.disconnect();
      } catch (error) {
        failures.push(this.#report(error, `${connection.constructor.name}#disconnect`, { sid: meta.sid }));
      }
    }
    if (failures.length > 0) {
      if (meta.sid) this.#disconnected.delete(meta.sid);
      return { status: Status.ERROR, error_msg: failures.join("; ") };
    }
    return { status: Status.SUCCESS, error_msg: "" };
  }

  async #subscribe(request: CommandMessage, meta: CallMetadata): Promise<CommandResponse> {
    let resolved: ResolvedIdentifier;
    try {
      resolved = this.#resolve(request.identifier, false);
    } catch (error) {
      const message = this.#report(error, "subscribe", { sid: meta.sid, identifier: truncate(request.identifier) });
      return error instanceof ChannelRefusal ? rejectSubscription(request.identifier, message) : commandError(message);
    }
    const prepared = this.#prepareChannel(request, meta, resolved);
    if (!prepared.ok) return commandError(this.#report(prepared.error, "subscribe", { sid: meta.sid }));
    const { channel, connection, output } = prepared.value;
    try {
      await channel.subscribed();
    } catch (error) {
      const where = `${resolved.channel.channelClass.name}#subscribed`;
      return commandError(this.#report(error, where, { sid: meta.sid, identifier: truncate(request.identifier) }));
    }
    if (channel.rejected) {
      // anycable-go applies streams even from a FAILURE, so a rejection must carry none.
      return {
        ...rejectSubscription(request.identifier, `Subscription rejected by ${resolved.channel.channelClass.name}`),
        env: envResponse(connection.state, channel.state),
      };
    }
    // The confirmation goes before anything the channel transmitted while subscribing. Built
    // around the one string that varies: the bytes JSON.stringify({ identifier, type }) makes.
    output.transmissions.unshift(`{"identifier":${JSON.stringify(request.identifier)},"type":"confirm_subscription"}`);
    return commandResponseFrom(output, Status.SUCCESS, connection, channel);
  }

  async #unsubscribe(request: CommandMessage, meta: CallMetadata): Promise<CommandResponse> {
    const prepared = this.#resolveAndPrepare(request, meta);
    if (!prepared.ok)
      return commandError(this.#report(prepared.error, "unsubscribe", { sid: meta.sid, identifier: truncate(request.identifier) }));
    const { channel, connection, output } = prepared.value;
    try {
      await channel.unsubscribed();
    } catch (error) {
      return commandError(this.#report(error, `${channel.constructor.name}#unsubscribed`, { sid: meta.sid }));
    }
    return { ...commandResponseFrom(output, Status.SUCCESS, connection, channel), stop_streams: true };
  }

  async #perform(request: CommandMessage, meta: CallMetadata): Promise<CommandResponse> {
    const prepared = this.#resolveAndPrepare(request, meta);
    if (!prepared.ok)
      return commandError(this.#report(prepared.error, "message", { sid: meta.sid, identifier: truncate(request.identifier) }));
    const { channel, connection, output, resolved } = prepared.value;
    let action;
    try {
      action = this.registry.resolveAction(resolved.channel, request.data);
    } catch (error) {
      return commandError(this.#report(error, "message", { sid: meta.sid, identifier: truncate(request.identifier) }));
    }
    try {
      await action.method.call(channel, action.data);
    } catch (error) {
      return commandError(this.#report(error, `${channel.constructor.name}#${action.name}`, { sid: meta.sid }));
    }
    return commandResponseFrom(output, Status.SUCCESS, connection, channel);
  }

  async #unsubscribeOnDisconnect(connection: Connection, identifier: string, env: Env, output: CallOutput): Promise<string | null> {
    let resolved: ResolvedIdentifier;
    try {
      resolved = this.#resolve(identifier, false);
    } catch (error) {
      // Subscriptions anycable-go answered itself (CableReady::Stream with a secret,
      // $pubsub, Turbo streams) are listed too; they have nothing to tear down here.
      if (error instanceof ChannelRefusal) {
        this.#logger.debug({ sid: connection.sid, identifier: truncate(identifier) }, "disconnect: no channel to unsubscribe");
        return null;
      }
      return this.#report(error, "Disconnect", { sid: connection.sid });
    }
    const state = new StateStore(parseChannelStates(env.istate[identifier]));
    const channel = newChannel(resolved, { connection, identifier, params: resolved.params, state, output });
    try {
      await channel.unsubscribed();
      return null;
    } catch (error) {
      return this.#report(error, `${resolved.channel.channelClass.name}#unsubscribed`, {
        sid: connection.sid,
        identifier: truncate(identifier),
      });
    }
  }

  #resolveAndPrepare(request: CommandMessage, meta: CallMetadata) {
    let resolved: ResolvedIdentifier;
    try {
      resolved = this.#resolve(request.identifier, request.command === "message");
    } catch (error) {
      return { ok: false as const, error };
    }
    return this.#prepareChannel(request, meta, resolved);
  }

  /**
   * The channel and validated params for an identifier. Params reach the channel frozen on every
   * path, cached or not, so no channel can come to rely on changing them. Only performs use the
   * cache: a subscribe or unsubscribe comes once per subscription, and caching those would hold
   * memory for strings that rarely come back.
   */
  #resolve(identifier: string, reuse: boolean): ResolvedIdentifier {
    if (reuse) {
      const cached = this.#performTargets.get(identifier);
      if (cached !== undefined) return cached;
    }
    const resolved = this.registry.resolve(identifier);
    if (freezeJsonData(resolved.params) && reuse) this.#performTargets.set(identifier, resolved);
    return resolved;
  }

  #prepareChannel(request: CommandMessage, meta: CallMetadata, resolved: ResolvedIdentifier) {
    const env = normaliseEnv(request.env);
    const output = new CallOutput();
    const restored = this.#restoreConnection(meta.sid, env, output, request.connection_identifiers);
    if (!restored.ok) return restored;
    const connection = restored.value;
    const channel = newChannel(resolved, {
      connection,
      identifier: request.identifier,
      params: resolved.params,
      state: new StateStore(env.istate),
      output,
    });
    return { ok: true as const, value: { channel, connection, output, resolved } };
  }

  #restoreConnection(sid: string, env: Env, output: CallOutput, rawIdentifiers: string): Outcome<Connection> {
    let identifiers: Identifiers | undefined;
    if (rawIdentifiers !== "") identifiers = this.#connectionIdentifiers.get(rawIdentifiers);
    if (rawIdentifiers !== "" && identifiers === undefined) {
      let json: unknown;
      try {
        json = JSON.parse(rawIdentifiers);
      } catch {
        return { ok: false, error: new ChannelRefusal(`Connection identifiers are not valid JSON: ${truncate(rawIdentifiers)}`) };
      }
      const parsed = isJsonObject(json) ? this.#connectionClass.identifiers.safeParse(json) : undefined;
      if (!parsed?.success) {
        return {
          ok: false,
          error: new ChannelRefusal(`Connection identifiers do not match ${this.#connectionClass.name}: ${truncate(rawIdentifiers)}`),
        };
      }
      identifiers = parsed.data as Identifiers;
      if (freezeJsonData(identifiers)) this.#connectionIdentifiers.set(rawIdentifiers, identifiers);
    }
    return { ok: true, value: this.#newConnection(sid, env, output, identifiers) };
  }

  #newConnection(sid: string, env: Env, output: CallOutput, identifiers: Identifiers | undefined): Connection {
    return new this.#connectionClass({
      sid,
      request: new Request(env.url, env.headers),
      state: new StateStore(env.cstate),
      broadcaster: this.#broadcaster,
      logger: this.#logger,
      output,
      identifiers,
    });
  }

  /** Logs an application exception with its stack and returns the error_msg for the response. */
  #report(error: unknown, where: string, context: Record<string, unknown>): string {
    const err = error instanceof Error ? error : new Error(String(error));
    if (error instanceof ChannelRefusal) {
      this.#logger.warn({ ...context, where }, err.message);
      return err.message;
    }
    this.#logger.error({ ...context, where, err }, `exception in ${where}: ${err.message}`);
    return `${err.name} in ${where}: ${err.message}`;
  }
}

function isStringMap(value: unknown): value is Record<string, string> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  for (const key in value) if (typeof (value as Record<string, unknown>)[key] !== "string") return false;
  return true;
}

/** Builds the resolved channel class; the registry vouched that it is a Channel subclass. */
function newChannel(resolved: ResolvedIdentifier, init: ChannelInit<Connection>): Channel {
  const ChannelCtor = resolved.channel.channelClass as unknown as new (init: ChannelInit<Connection>) => Channel;
  return new ChannelCtor(init);
}

function normaliseEnv(env: Env | null | undefined): Env {
  // What proto-loader decodes (defaults on) is already the right shape; checking that by hand is
  // the hot path, and zod's parse with defaults is kept for anything else.
  if (env && typeof env.url === "string" && isStringMap(env.headers) && isStringMap(env.cstate) && isStringMap(env.istate)) return env;
  const parsed = envSchema.safeParse(env ?? {});
  // proto-loader already types these; anything that still fails comes from a broken client.
  return parsed.success ? parsed.data : { url: "", headers: {}, cstate: {}, istate: {} };
}

const envSchema = z.object({
  url: z.string().default(""),
  headers: stringMap.default({}),
  cstate: stringMap.default({}),
  istate: stringMap.default({}),
});

function parseChannelStates(raw: string | undefined): Record<string, string> | undefined {
  if (!raw) return undefined;
  try {
    const parsed = stringMap.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function envResponse(cstate: StateStore, istate: StateStore | undefined): EnvResponse | null {
  if (!cstate.changed && !istate?.changed) return null;
  return { cstate: cstate.changes(), istate: istate?.changes() ?? {} };
}

function emptyCommandResponse(status: Status): CommandResponse {
  return {
    status,
    disconnect: false,
    stop_streams: false,
    streams: [],
    transmissions: [],
    error_msg: "",
    env: null,
    stopped_streams: [],
    presence: null,
  };
}

function commandResponseFrom(output: CallOutput, status: Status, connection: Connection, channel: Channel): CommandResponse {
  return {
    status,
    disconnect: output.disconnect,
    stop_streams: output.stopAllStreams,
    streams: output.streams,
    transmissions: output.transmissions,
    error_msg: "",
    env: envResponse(connection.state, channel.state),
    stopped_streams: output.stoppedStreams,
    presence: output.presence ? { ...output.presence, ttl: 0 } : null,
  };
}

function rejectSubscription(identifier: string, message: string): CommandResponse {
  return {
    ...emptyCommandResponse(Status.FAILURE),
    transmissions: [JSON.stringify({ identifier, type: "reject_subscription" })],
    error_msg: message,
  };
}

function commandError(message: string): CommandResponse {
  return { ...emptyCommandResponse(Status.ERROR), error_msg: message };
}

function connectError(message: string): ConnectionResponse {
  return { status: Status.ERROR, identifiers: "", transmissions: [], error_msg: message, env: null };
}
