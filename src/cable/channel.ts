import type { z } from "zod";
import type { Level, Logger } from "pino";
import type { Broadcaster, BroadcastMeta } from "../broadcast/broadcaster.js";
import { brand } from "../shared/brand.js";
import { broadcastingFor, type Broadcastable } from "../streams/broadcasting.js";
import type { CallOutput } from "./call-output.js";
import type { Connection } from "./connection.js";
import { addRescueHandler, type ErrorClass, type RescueHandler } from "./rescue.js";
import type { StateStore } from "./state.js";
import { PRESENCE_STREAM_STATE, WHISPER_STREAM_STATE } from "./state-keys.js";

export interface ChannelInit<C extends Connection = Connection> {
  connection: C;
  /** The identifier exactly as the client sent it; transmissions must echo it byte for byte. */
  identifier: string;
  params: unknown;
  state: StateStore;
  output: CallOutput;
}

/** Payload schemas of a channel's public actions, by action name. */
export type ActionSchemas = Readonly<Record<string, z.ZodType>>;

export interface StreamOptions {
  /**
   * Clients' `whisper` commands on this subscription go to this stream, to every subscriber
   * but the sender, without reaching RPC (anycable-go 1.5+). One whisper stream per subscription.
   */
  whisper?: boolean;
  /**
   * This stream carries the subscription's presence set: clients may `join`, `leave` and ask
   * for `presence` info themselves, and `joinPresence()` uses it (anycable-go 1.6+ with a broker).
   */
  presence?: boolean;
}

export interface JoinPresenceOptions {
  /** The stream whose presence set to join; default the one marked `presence`, else the first started in this call. */
  stream?: string;
}

/** Broadcast metadata, plus `toOthers` to leave out the socket of the connection broadcasting. */
export interface ChannelBroadcastOptions extends BroadcastMeta {
  toOthers?: boolean;
}

/**
 * A channel, LiteCable style. Subclasses set a static `identifier` (the `channel` value clients
 * send), optionally a `params` schema for the rest of the identifier, and the `actions` clients
 * may perform: only those are callable, each with its payload validated by its schema.
 */
export class Channel<P = Record<string, unknown>, C extends Connection = Connection> {
  /** The `channel` key clients use in their subscription identifier. */
  static identifier = "";
  /** Schema for the identifier's other keys; without one they are passed through as-is. */
  static params: z.ZodType | undefined = undefined;
  /** The only actions a client may perform, each with the schema its data must match. */
  static actions: ActionSchemas = {};

  /**
   * The prefix of this channel's record broadcastings, by Action Cable's `channel_name` rule on
   * the identifier: a trailing "Channel" dropped, "::" to ":", CamelCase to snake_case
   * (`ChatChannel` and `chat` -> `chat`, `Admin::RoomsChannel` -> `admin:rooms`).
   */
  static get channelName(): string {
    return actionCableChannelName(this.identifier);
  }

  /** The stream for `model` on this channel (Action Cable's `broadcasting_for`): `<channelName>:<model's name>`. */
  static broadcastingFor(model: Broadcastable): string {
    return broadcastingFor([this.channelName, model]);
  }

  /** Broadcasts to everyone streaming `model` from this channel (Action Cable's `broadcast_to`). */
  static async broadcastTo(broadcaster: Broadcaster, model: Broadcastable, data: string | object, meta?: BroadcastMeta): Promise<void> {
    await broadcaster.broadcast(this.broadcastingFor(model), data, meta);
  }

  /**
   * Maps an error class to a handler run on the channel when `subscribed`, `unsubscribed` or an
   * action throws one. Later declarations and subclasses' declarations are tried first; errors
   * no channel handler takes go to the connection's `rescueFrom`, then become an RPC ERROR.
   */
  static rescueFrom<T extends Channel<unknown, Connection>, E extends Error>(
    this: abstract new (init: ChannelInit<never>) => T,
    errorClass: ErrorClass<E>,
    handler: RescueHandler<T, E>,
  ): void {
    addRescueHandler(this, errorClass, handler as (error: never) => void);
  }

  readonly connection: C;
  readonly identifier: string;
  /** The identifier's other keys, validated by the `params` schema; deep-frozen when plain JSON data. */
  readonly params: P;
  /** Channel state (AnyCable istate): strings kept per subscription between calls. */
  readonly state: StateStore;
  #logger: Logger | undefined;
  readonly #output: CallOutput;
  #rejection: { reason: string | undefined } | undefined;

  constructor(init: ChannelInit<C>) {
    this.connection = init.connection;
    this.identifier = init.identifier;
    this.params = init.params as P;
    this.state = init.state;
    this.#output = init.output;
  }

  /** Whether a line at `level` would be written; see Connection#logs. */
  logs(level: Level): boolean {
    return this.connection.logs(level);
  }

  get logger(): Logger {
    this.#logger ??= this.connection.loggerWith({ channel: (this.constructor as typeof Channel).identifier });
    return this.#logger;
  }

  /** Called on subscribe; call `reject()` to refuse, `streamFrom()` to start streams. */
  subscribed(): void | Promise<void> {}

  /** Called on unsubscribe and, for every subscription, when the socket disconnects. */
  unsubscribed(): void | Promise<void> {}

  get identifiers(): C["identifiers"] {
    return this.connection.identifiers;
  }

  get broadcaster(): Broadcaster {
    return this.connection.broadcaster;
  }

  /**
   * Refuses the subscription: the client gets reject_subscription and no streams start. The
   * reason is for the server's log and the RPC error message, never sent to the client.
   */
  reject(reason?: string): void {
    this.#rejection = { reason };
  }

  get rejected(): boolean {
    return this.#rejection !== undefined;
  }

  /** Why `reject()` was called, when it was given a reason. */
  get rejectionReason(): string | undefined {
    return this.#rejection?.reason;
  }

  /** Starts streaming broadcasts on `stream` to this subscriber; see `StreamOptions` for whispers and presence. */
  streamFrom(stream: string, options: StreamOptions = {}): void {
    if (typeof stream !== "string" || stream === "") throw new TypeError("streamFrom needs a non-empty stream name");
    this.#output.streams.push(stream);
    if (options.whisper) this.state.set(WHISPER_STREAM_STATE, stream);
    if (options.presence) this.state.set(PRESENCE_STREAM_STATE, stream);
  }

  /** Streams `model`'s broadcasting on this channel (Action Cable's `stream_for`). */
  streamFor(model: Broadcastable, options: StreamOptions = {}): void {
    this.streamFrom((this.constructor as typeof Channel).broadcastingFor(model), options);
  }

  stopStreamFrom(stream: string): void {
    this.#output.stoppedStreams.push(stream);
    if (this.state.get(WHISPER_STREAM_STATE) === stream) this.state.delete(WHISPER_STREAM_STATE);
  }

  stopStreamFor(model: Broadcastable): void {
    this.stopStreamFrom((this.constructor as typeof Channel).broadcastingFor(model));
  }

  stopAllStreams(): void {
    this.#output.stopAllStreams = true;
    if (this.state.has(WHISPER_STREAM_STATE)) this.state.delete(WHISPER_STREAM_STATE);
  }

  /** Broadcasts on `stream`; `{ toOthers: true }` leaves out this connection's socket. */
  async broadcast(stream: string, data: string | object, options: ChannelBroadcastOptions = {}): Promise<void> {
    await this.broadcaster.broadcast(stream, data, this.#meta(options));
  }

  /** Broadcasts to `model`'s broadcasting on this channel; `{ toOthers: true }` leaves out this socket. */
  async broadcastTo(model: Broadcastable, data: string | object, options: ChannelBroadcastOptions = {}): Promise<void> {
    await this.broadcast((this.constructor as typeof Channel).broadcastingFor(model), data, options);
  }

  #meta(options: ChannelBroadcastOptions): BroadcastMeta | undefined {
    const { toOthers, ...meta } = options;
    if (toOthers) meta.exclude_socket = this.connection.sid;
    return Object.keys(meta).length === 0 ? undefined : meta;
  }

  /** Sends `message` to this subscriber as `{"identifier":…,"message":…}`. */
  transmit(message: unknown): void {
    this.#output.transmit({ identifier: this.identifier, message });
  }

  /**
   * Adds this socket to a presence set (anycable-go 1.6+ with a broker, e.g. `--presets=broker`):
   * subscribers of the stream get a `join` event the first time `id` appears. `id` defaults to
   * the connection identifier, `info` (any JSON) is what others see. The stream is the one
   * marked `presence` by `streamFrom`, else `options.stream` (started if need be), else the
   * first stream started in this call.
   */
  joinPresence(id: string = this.connection.connectionIdentifier, info?: unknown, options: JoinPresenceOptions = {}): void {
    if (typeof id !== "string" || id === "") throw new TypeError("joinPresence needs a non-empty presence id");
    const current = this.state.get(PRESENCE_STREAM_STATE);
    const stream = options.stream ?? current ?? this.#output.streams[0];
    if (stream === undefined) {
      throw new Error("joinPresence needs a stream: streamFrom(name, { presence: true }) first, or pass { stream }");
    }
    if (options.stream !== undefined && options.stream !== current && !this.#output.streams.includes(options.stream)) {
      this.streamFrom(options.stream);
    }
    if (stream !== current) this.state.set(PRESENCE_STREAM_STATE, stream);
    const encoded: unknown = info === undefined ? "" : JSON.stringify(info);
    if (typeof encoded !== "string") throw new TypeError("presence info must be JSON-serialisable");
    this.#output.presence = { type: "join", id, info: encoded };
  }

  /** Removes this socket from the subscription's presence set; others get `leave` once no socket holds the id. */
  leavePresence(id: string = this.connection.connectionIdentifier): void {
    if (!this.state.has(PRESENCE_STREAM_STATE)) return;
    this.#output.presence = { type: "leave", id, info: "" };
  }
}

brand(Channel, "Channel");
/** Action Cable's `channel_name`: "Admin::RoomsChannel" -> "admin:rooms". */
export function actionCableChannelName(identifier: string): string {
  return identifier
    .replace(/Channel$/, "")
    .replaceAll("::", ":")
    .replace(/([A-Z\d]+)([A-Z][a-z])/g, "$1_$2")
    .replace(/([a-z\d])([A-Z])/g, "$1_$2")
    .replaceAll("-", "_")
    .toLowerCase();
}

export type ChannelClass = (new (init: ChannelInit<never>) => Channel<unknown, Connection>) & {
  identifier: string;
  params: z.ZodType | undefined;
  actions: ActionSchemas;
};
