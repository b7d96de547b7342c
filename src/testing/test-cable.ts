/**
 * In-process testing for channel authors, in the spirit of ActionCable::Channel::TestCase and
 * ConnectionTestCase: connect, subscribe, perform, unsubscribe and disconnect against an
 * application through the same RPC handler anycable-go talks to, with what anycable-go would
 * keep between calls (identifiers, connection and channel state, streams) kept here, and
 * everything that happened readable and typed. No anycable-go, no network.
 */
import type { z } from "zod";
import type { Publication } from "../broadcast/broadcaster.js";
import { resolveApplication, type ApplicationExport } from "../cable/application-module.js";
import type { ChannelClass } from "../cable/channel.js";
import type { Identifiers } from "../cable/identifiers.js";
import type { ActionName, ActionPayload } from "../cable/typed-actions.js";
import { CABLE_READY_STREAM_CHANNEL, createCableReadyStreamChannel } from "../cable-ready/stream-channel.js";
import { RpcHandler } from "../rpc/handler.js";
import { Status, type CommandResponse, type Env, type EnvResponse } from "../rpc/messages.js";
import { captureLogs, type LogLine } from "./captured-logs.js";
import { RecordingBroadcaster } from "./recording-broadcaster.js";

export interface TestCableOptions {
  /** The environment a factory application is built with. Default: an empty one. */
  env?: NodeJS.ProcessEnv;
  /** The secret of the built-in CableReady::Stream channel; without one it rejects every subscription. */
  cableReadySecret?: string;
}

export interface ConnectOptions {
  /** The WebSocket URL the client opened; its query string is `request.params`. Default ws://localhost:8080/cable. */
  url?: string;
  /** Request headers as anycable-go forwards them (names are lower-cased). */
  headers?: Record<string, string>;
  /** Cookies, sent as the Cookie header. */
  cookies?: Record<string, string>;
  /** Query parameters added to the URL. */
  params?: Record<string, string>;
  /** The session id anycable-go would give this socket. Default: a fresh one. */
  sid?: string;
}

/**
 * Over a real transport, anycable-go reads a reply in a later turn of the server's event loop than
 * the one that produced it, so work a handler left for the end of its turn (broadcasts batched
 * with setImmediate, say) has happened by the time the client sees the answer. Each call waits for
 * that turn too, so tests read the broadcasts a client would already see.
 */
const endOfTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** The outcome of one call, as the client and anycable-go see it. */
export type CallStatus = "success" | "failure" | "error";

/** A call that finished: its status and, for "failure" and "error", the server's message. */
export interface CallResult {
  status: CallStatus;
  /** RPC error_msg: the reason of a rejection, or the exception an application callback raised. */
  error: string | undefined;
  /** What this call transmitted to the client, JSON-decoded. */
  transmissions: unknown[];
}

type ParamsOf<C> = C extends { params: infer S } ? (S extends z.ZodType ? z.input<S> : Record<string, unknown>) : Record<string, unknown>;

type PerformArgs<C, K extends ActionName<C>> = {} extends ActionPayload<C, K> ? [data?: ActionPayload<C, K>] : [data: ActionPayload<C, K>];

export interface TestCable {
  /** Everything the application broadcast, through any connection or outside any call. */
  readonly broadcasts: RecordingBroadcaster;
  /** The log lines the framework and the application wrote. */
  readonly logs: readonly LogLine[];
  connect(options?: ConnectOptions): Promise<TestConnection>;
  /**
   * A connection that is already identified, without running connect(), for testing channels on
   * their own (Action Cable's `stub_connection`). The identifiers still go through the
   * Connection's schema on every call, as anycable-go's would.
   */
  stubConnection(identifiers: Identifiers, options?: Omit<ConnectOptions, "sid"> & { state?: Record<string, string> }): TestConnection;
}

/** Builds an application (or its factory) for in-process tests. */
export async function createTestCable(application: ApplicationExport, options: TestCableOptions = {}): Promise<TestCable> {
  const { logger, lines } = captureLogs();
  const broadcasts = new RecordingBroadcaster();
  const app = await resolveApplication(application, { env: options.env ?? {}, logger, broadcaster: broadcasts }, "the tested application");
  const builtin = app.channels.some((c) => c.identifier === CABLE_READY_STREAM_CHANNEL)
    ? []
    : [createCableReadyStreamChannel(options.cableReadySecret)];
  const handler = new RpcHandler({ app, broadcaster: broadcasts, logger, builtinChannels: builtin });
  let sessions = 0;
  return {
    broadcasts,
    logs: lines,
    async connect(connectOptions = {}) {
      const connection = new TestConnection(handler, connectOptions, connectOptions.sid ?? `test-session-${++sessions}`);
      await connection.open();
      return connection;
    },
    stubConnection(identifiers, stubOptions = {}) {
      const connection = new TestConnection(handler, stubOptions, `test-session-${++sessions}`);
      connection.stub(identifiers, stubOptions.state ?? {});
      return connection;
    },
  };
}

function decode(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

function statusOf(status: number): CallStatus {
  return status === Status.SUCCESS ? "success" : status === Status.FAILURE ? "failure" : "error";
}

/** Applies an RPC state delta: an empty value deletes the key, as anycable-go does. */
function applyDelta(target: Record<string, string>, delta: Record<string, string> | undefined): void {
  for (const [key, value] of Object.entries(delta ?? {})) {
    if (value === "") delete target[key];
    else target[key] = value;
  }
}

/** One client connection, kept the way anycable-go keeps a session. */
export class TestConnection {
  readonly sid: string;
  /** "success" once connected, "failure" when the application rejected it, "error" when connect() raised. */
  status: CallStatus | undefined;
  /** RPC error_msg of a rejected or failed connect. */
  error: string | undefined;
  /** The identifiers connect() set (decoded). */
  identifiers: Identifiers = {};
  /** Every message sent to this client, JSON-decoded, in order (welcome and disconnect included). */
  readonly transmissions: unknown[] = [];
  /** Connection state (cstate) as anycable-go holds it between calls. */
  readonly state: Record<string, string> = {};
  /** Error messages of every call that ended in "error" (an exception in an application callback). */
  readonly errors: string[] = [];
  /** True once the server asked to close the socket, or disconnect() ran. */
  closed = false;

  readonly #handler: RpcHandler;
  readonly #env: Pick<Env, "url" | "headers">;
  #rawIdentifiers = "";
  readonly #subscriptions = new Map<string, TestSubscription<ChannelClass>>();

  /** @internal Made by createTestCable().connect(). */
  constructor(handler: RpcHandler, options: ConnectOptions, sid: string) {
    this.#handler = handler;
    this.sid = sid;
    const url = new URL(options.url ?? "ws://localhost:8080/cable");
    for (const [key, value] of Object.entries(options.params ?? {})) url.searchParams.set(key, value);
    const headers: Record<string, string> = { REMOTE_ADDR: "127.0.0.1" };
    for (const [name, value] of Object.entries(options.headers ?? {})) headers[name.toLowerCase()] = value;
    const cookies = Object.entries(options.cookies ?? {}).map(([k, v]) => `${k}=${encodeURIComponent(v)}`);
    if (cookies.length > 0) headers.cookie = [headers.cookie, ...cookies].filter(Boolean).join("; ");
    this.#env = { url: url.href, headers };
  }

  get connected(): boolean {
    return this.status === "success" && !this.closed;
  }

  get rejected(): boolean {
    return this.status === "failure";
  }

  /** @internal Runs Connect; createTestCable().connect() calls it. */
  async open(): Promise<void> {
    const response = await this.#handler.connect({ env: this.#envFor({}) }, this.#meta());
    await endOfTurn();
    this.status = statusOf(response.status);
    this.error = response.error_msg || undefined;
    if (this.status === "error" && this.error) this.errors.push(this.error);
    this.#rawIdentifiers = response.identifiers;
    this.identifiers = response.identifiers ? (JSON.parse(response.identifiers) as Identifiers) : {};
    this.#record(response.transmissions);
    this.#applyEnv(response.env, undefined);
    if (this.status !== "success") this.closed = true;
  }

  /** @internal Identified without Connect; createTestCable().stubConnection() calls it. */
  stub(identifiers: Identifiers, state: Record<string, string>): void {
    this.status = "success";
    this.#rawIdentifiers = JSON.stringify(identifiers);
    this.identifiers = JSON.parse(this.#rawIdentifiers) as Identifiers;
    Object.assign(this.state, state);
  }

  /** Subscribes to a channel class (typed) or a channel by name, with the identifier's other keys. */
  subscribe<C extends ChannelClass>(channel: C, params?: ParamsOf<C>): Promise<TestSubscription<C>>;
  subscribe(channel: string, params?: Record<string, unknown>): Promise<TestSubscription<ChannelClass>>;
  async subscribe(channel: ChannelClass | string, params: object = {}): Promise<TestSubscription<ChannelClass>> {
    this.#assertOpen("subscribe");
    const name = typeof channel === "string" ? channel : channel.identifier;
    const identifier = JSON.stringify({ channel: name, ...params });
    const subscription = new TestSubscription<ChannelClass>(this, identifier);
    const result = await this.command("subscribe", subscription, "");
    subscription.status = result.status;
    subscription.error = result.error;
    if (result.status === "success") this.#subscriptions.set(identifier, subscription);
    return subscription;
  }

  /** Ends the session as anycable-go does when the socket closes: every channel's unsubscribed(), then disconnect(). */
  async disconnect(): Promise<CallResult> {
    if (this.status !== "success") throw new Error("disconnect: this connection was never accepted");
    const istate: Record<string, string> = {};
    for (const [identifier, subscription] of this.#subscriptions) istate[identifier] = JSON.stringify(subscription.state);
    const response = await this.#handler.disconnect(
      { identifiers: this.#rawIdentifiers, subscriptions: [...this.#subscriptions.keys()], env: this.#envFor(istate) },
      this.#meta(),
    );
    await endOfTurn();
    this.closed = true;
    this.#subscriptions.clear();
    const status = statusOf(response.status);
    if (status === "error") this.errors.push(response.error_msg);
    return { status, error: response.error_msg || undefined, transmissions: [] };
  }

  /** @internal One Command for a subscription, with the session's state applied before and after. */
  async command(command: string, subscription: TestSubscription<ChannelClass>, data: string): Promise<CallResult> {
    this.#assertOpen(command === "message" ? "perform" : command);
    const response = await this.#handler.command(
      {
        command,
        identifier: subscription.identifier,
        connection_identifiers: this.#rawIdentifiers,
        data,
        env: this.#envFor(subscription.state),
      },
      this.#meta(),
    );
    await endOfTurn();
    const status = statusOf(response.status);
    const transmissions = this.#record(response.transmissions);
    if (status === "error") this.errors.push(response.error_msg);
    // As anycable-go does: it applies the state and streams of a SUCCESS or FAILURE reply (so a
    // rejected subscription's state changes are kept; the handler sends them, with no streams) and
    // nothing of an ERROR reply, which it treats as the call having failed.
    if (status !== "error") {
      this.#applyEnv(response.env, subscription.state);
      subscription.applyStreams(response);
    }
    if (response.disconnect) this.closed = true;
    if (command === "unsubscribe" && status === "success") this.#subscriptions.delete(subscription.identifier);
    return { status, error: response.error_msg || undefined, transmissions };
  }

  #record(raw: readonly string[]): unknown[] {
    const decoded = raw.map(decode);
    this.transmissions.push(...decoded);
    return decoded;
  }

  #applyEnv(env: EnvResponse | null, istate: Record<string, string> | undefined): void {
    applyDelta(this.state, env?.cstate);
    if (istate) applyDelta(istate, env?.istate);
  }

  #envFor(istate: Record<string, string>): Env {
    return { ...this.#env, cstate: { ...this.state }, istate: { ...istate } };
  }

  #meta() {
    return { sid: this.sid, protov: "v1" };
  }

  #assertOpen(what: string): void {
    if (this.status !== "success")
      throw new Error(`${what}: the connection was not accepted (${this.status ?? "not connected"}: ${this.error ?? ""})`);
    if (this.closed) throw new Error(`${what}: the connection is closed`);
  }
}

/** One subscription of a TestConnection. */
export class TestSubscription<C> {
  /** The identifier the client sent, e.g. {"channel":"chat","room":"lobby"}. */
  readonly identifier: string;
  /** "success" when confirmed, "failure" when rejected, "error" when subscribed() raised. */
  status: CallStatus | undefined;
  /** The rejection's reason or the exception's message. */
  error: string | undefined;
  /** Channel state (istate) as anycable-go holds it between calls. */
  readonly state: Record<string, string> = {};
  /** Every stream this subscription started, in order (stopped ones included). */
  readonly startedStreams: string[] = [];
  /** Every stream it stopped, in order (all of them, when it stopped all). */
  readonly stoppedStreams: string[] = [];
  readonly #streams = new Set<string>();
  readonly #connection: TestConnection;

  /** @internal Made by TestConnection#subscribe(). */
  constructor(connection: TestConnection, identifier: string) {
    this.#connection = connection;
    this.identifier = identifier;
  }

  get confirmed(): boolean {
    return this.status === "success";
  }

  get rejected(): boolean {
    return this.status === "failure";
  }

  /** The streams the client currently receives. */
  get streams(): string[] {
    return [...this.#streams];
  }

  /** What the channel transmitted to this subscription (`transmit()`), JSON-decoded, in order. */
  get transmissions(): unknown[] {
    return this.#connection.transmissions.flatMap((message) =>
      typeof message === "object" &&
      message !== null &&
      "message" in message &&
      (message as { identifier?: unknown }).identifier === this.identifier
        ? [(message as { message: unknown }).message]
        : [],
    );
  }

  /** Performs an action as a client would: `{ action, ...data }`. Resolves with the call's outcome. */
  perform<K extends ActionName<C>>(action: K, ...[data]: PerformArgs<C, K>): Promise<CallResult> {
    return this.#connection.command("message", this as TestSubscription<ChannelClass>, JSON.stringify({ ...(data ?? {}), action }));
  }

  /** Unsubscribes: the channel's unsubscribed() runs and its streams stop. */
  unsubscribe(): Promise<CallResult> {
    return this.#connection.command("unsubscribe", this as TestSubscription<ChannelClass>, "");
  }

  /** @internal */
  applyStreams(response: CommandResponse): void {
    if (response.stop_streams) {
      this.stoppedStreams.push(...this.#streams);
      this.#streams.clear();
    }
    for (const stream of response.stopped_streams) {
      if (this.#streams.delete(stream)) this.stoppedStreams.push(stream);
    }
    for (const stream of response.streams) {
      this.#streams.add(stream);
      this.startedStreams.push(stream);
    }
  }
}

export type { Publication };
