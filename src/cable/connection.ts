import { z } from "zod";
import type { Level, Logger } from "pino";
import type { Broadcaster } from "../broadcast/broadcaster.js";
import { brand } from "../shared/brand.js";
import type { CallOutput } from "./call-output.js";
import { DefinitionError, UnauthorizedError } from "./errors.js";
import { anyIdentifiers, connectionIdentifier, encodeIdentifiers, type Identifiers } from "./identifiers.js";
import { addRescueHandler, type ErrorClass, type RescueHandler } from "./rescue.js";
import type { Request } from "./request.js";
import type { StateStore } from "./state.js";

export interface ConnectionInit {
  /** The session id anycable-go gave this WebSocket. */
  sid: string;
  request: Request;
  state: StateStore;
  broadcaster: Broadcaster;
  logger: Logger;
  output: CallOutput;
  /** Identifiers restored from an earlier Connect (absent while connecting). */
  identifiers?: Identifiers | undefined;
}

/**
 * A client connection, LiteCable style: `connect()` decides who the client is (or rejects it),
 * `disconnect()` runs when the socket is gone. An instance lives for one RPC call; what must
 * survive between calls goes into identifiers or `state`.
 */
export class Connection<I extends Identifiers = Identifiers> {
  /** Validates identifiers when they are set and when they come back on later calls. */
  static identifiers: z.ZodType<Identifiers> = anyIdentifiers;

  /**
   * The identifiers JSON string exactly as the RPC server registers a connection of this class
   * under (validated by `identifiers`, keys in the schema's order): what remote disconnects and
   * JWT tokens must carry to match it.
   */
  static identifiersJson<T extends Connection>(this: ConnectionClassOf<T>, values: T["identifiers"]): string {
    const parsed = this.identifiers.safeParse(values);
    if (!parsed.success) throw new TypeError(`Invalid identifiers for ${this.name}: ${z.prettifyError(parsed.error)}`);
    return encodeIdentifiers(parsed.data);
  }

  /**
   * Closes every connection identified by `values`, on every anycable-go node, through the
   * broadcaster (Action Cable's `remote_connections.where(...).disconnect`). With `reconnect`
   * the clients are told they may come back.
   */
  static async remoteDisconnect<T extends Connection>(
    this: ConnectionClassOf<T>,
    broadcaster: Broadcaster,
    values: T["identifiers"],
    options: { reconnect?: boolean } = {},
  ): Promise<void> {
    const identifier = Connection.identifiersJson.call(this as ConnectionClassOf<Connection>, values);
    await broadcaster.broadcastCommand({ command: "disconnect", payload: { identifier, reconnect: options.reconnect ?? false } });
  }

  /**
   * Maps an error class to a handler run on this connection when `connect()` or `disconnect()`
   * throws one, or when a channel of this connection throws one its own class does not rescue.
   * Later declarations and subclasses' declarations are tried first.
   */
  static rescueFrom<T extends Connection, E extends Error>(
    this: ConnectionClassOf<T>,
    errorClass: ErrorClass<E>,
    handler: RescueHandler<T, E>,
  ): void {
    addRescueHandler(this, errorClass, handler as (error: never) => void);
  }

  readonly sid: string;
  readonly request: Request;
  /** Connection state (AnyCable cstate): strings kept by anycable-go for the socket's lifetime. */
  readonly state: StateStore;
  readonly broadcaster: Broadcaster;
  readonly #baseLogger: Logger;
  #logger: Logger | undefined;
  readonly #output: CallOutput;
  #identifiers: I | undefined;

  constructor(init: ConnectionInit) {
    this.sid = init.sid;
    this.request = init.request;
    this.state = init.state;
    this.broadcaster = init.broadcaster;
    this.#baseLogger = init.logger;
    this.#output = init.output;
    this.#identifiers = init.identifiers as I | undefined;
  }

  /** A logger bound to this session; created on first use because most calls never log. */
  get logger(): Logger {
    this.#logger ??= this.#baseLogger.child({ sid: this.sid });
    return this.#logger;
  }

  /**
   * Whether a line at `level` would be written, asked without building this session's child
   * logger (children take their parent's level): a hot path can skip a debug line's work at info.
   */
  logs(level: Level): boolean {
    return this.#baseLogger.isLevelEnabled(level);
  }

  /**
   * A logger bound to this session and `bindings` in one step: pino's child of a child costs
   * several microseconds per call even when nothing is logged.
   */
  loggerWith(bindings: Record<string, unknown>): Logger {
    return this.#baseLogger.child({ sid: this.sid, ...bindings });
  }

  /**
   * Called on Connect. Identify the client with `identifiedBy` (`identifiedBy({})` for an
   * anonymous one), or `rejectUnauthorizedConnection()`. The base class accepts everyone anonymously.
   */
  connect(): void | Promise<void> {
    this.identifiedBy({} as I);
  }

  /** Called on Disconnect, after every subscribed channel's `unsubscribed`. */
  disconnect(): void | Promise<void> {}

  get identified(): boolean {
    return this.#identifiers !== undefined;
  }

  /** The identifiers set by `identifiedBy` during Connect; on later calls, deep-frozen when plain JSON data. */
  get identifiers(): I {
    if (this.#identifiers === undefined) {
      throw new Error(`${this.constructor.name} has no identifiers: call identifiedBy() in connect()`);
    }
    return this.#identifiers;
  }

  /**
   * The identifiers as one string, by Action Cable's `connection_identifier` rule: each value's
   * string form joined with ":" (objects as JSON). The default presence id.
   */
  get connectionIdentifier(): string {
    return connectionIdentifier(this.identifiers);
  }

  /** Declares who this connection is; validated against the class's `identifiers` schema. */
  identifiedBy(values: I): void {
    const schema = (this.constructor as typeof Connection).identifiers;
    const parsed = schema.safeParse(values);
    if (!parsed.success) {
      throw new TypeError(`Invalid identifiers for ${this.constructor.name}: ${z.prettifyError(parsed.error)}`);
    }
    this.#identifiers = parsed.data as I;
  }

  /** Refuses the connection: the client gets the unauthorized disconnect and the socket closes. */
  rejectUnauthorizedConnection(reason?: string): never {
    throw new UnauthorizedError(reason);
  }

  /** Sends a message to this client only; objects are JSON-encoded. */
  transmit(message: unknown): void {
    this.#output.transmit(message);
  }

  /** Asks anycable-go to close this socket after the current call's transmissions. */
  close(): void {
    this.#output.disconnect = true;
  }
}

brand(Connection, "Connection");

/**
 * Runs `connect()` and insists on an outcome: a subclass whose connect() returns without
 * identifying the client (or rejecting it) would be accepted with identifiers its own schema
 * refuses on every later call, so every subscription would fail far from the cause.
 */
export async function runConnect(connection: Connection): Promise<void> {
  await connection.connect();
  if (!connection.identified) {
    const name = connection.constructor.name || "Connection";
    throw new DefinitionError(
      `${name}.connect() returned without identifiedBy() or rejectUnauthorizedConnection(): ` +
        `call this.identifiedBy({ ... }) with who the client is (identifiedBy({}) for an anonymous connection)`,
    );
  }
}

export type ConnectionClass = (new (init: ConnectionInit) => Connection) & { identifiers: z.ZodType<Identifiers> };

/** A connection class whose instances are `T`, for typing static helpers by subclass. */
export type ConnectionClassOf<T extends Connection> = (new (init: ConnectionInit) => T) & {
  identifiers: z.ZodType<Identifiers>;
  name: string;
};
