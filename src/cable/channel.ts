import type { z } from "zod";
import type { Logger } from "pino";
import type { Broadcaster } from "../broadcast/broadcaster.js";
import { brand } from "../shared/brand.js";
import type { CallOutput } from "./call-output.js";
import type { Connection } from "./connection.js";
import type { StateStore } from "./state.js";

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

  streamFrom(stream: string): void {
    if (typeof stream !== "string" || stream === "") throw new TypeError("streamFrom needs a non-empty stream name");
    this.#output.streams.push(stream);
  }

  stopStreamFrom(stream: string): void {
    this.#output.stoppedStreams.push(stream);
  }

  stopAllStreams(): void {
    this.#output.stopAllStreams = true;
  }

  /** Sends `message` to this subscriber as `{"identifier":…,"message":…}`. */
  transmit(message: unknown): void {
    this.#output.transmit({ identifier: this.identifier, message });
  }

  /** Adds this connection to the channel's presence set (anycable-go 1.6+). */
  joinPresence(id: string, info: unknown = {}): void {
    this.#output.presence = { type: "join", id, info: typeof info === "string" ? info : JSON.stringify(info) };
  }

  leavePresence(id: string): void {
    this.#output.presence = { type: "leave", id, info: "" };
  }
}

brand(Channel, "Channel");

export type ChannelClass = (new (init: ChannelInit<never>) => Channel<unknown, Connection>) & {
  identifier: string;
  params: z.ZodType | undefined;
  actions: ActionSchemas;
};
