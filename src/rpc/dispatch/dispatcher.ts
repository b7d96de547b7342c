import type { Logger } from "pino";
import type { Broadcaster } from "../../broadcast/broadcaster.js";
import type { Application } from "../../cable/application.js";
import { CallOutput } from "../../cable/call-output.js";
import type { Channel, ChannelClass, ChannelInit } from "../../cable/channel.js";
import { runConnect, type Connection, type ConnectionClass } from "../../cable/connection.js";
import { ChannelRefusal, UnauthorizedError } from "../../cable/errors.js";
import type { Identifiers } from "../../cable/identifiers.js";
import type { ChannelRegistry, ResolvedIdentifier } from "../../cable/registry.js";
import { Request } from "../../cable/request.js";
import { callRescued } from "../../cable/rescue.js";
import { StateStore } from "../../cable/state.js";
import { truncate } from "../../cable/truncate.js";
import type { Env } from "../messages.js";
import type { ConnectCall, DisconnectCall, PerformCall, SubscribeCall, UnsubscribeCall } from "./calls.js";
import { ChannelFinder } from "./channel-finder.js";
import { ConnectionIdentifiers } from "./connection-identifiers.js";
import { fail, succeed, type Failure, type Outcome } from "./outcome.js";
import { RecentSessions } from "./recent-sessions.js";

export interface DispatcherOptions {
  app: Application;
  broadcaster: Broadcaster;
  logger: Logger;
  /** Framework-provided channels served beside the application's, e.g. CableReady::Stream. */
  builtinChannels?: readonly ChannelClass[];
}

/** The connection one call runs against, and what the call produced. */
export interface Session {
  readonly connection: Connection;
  readonly output: CallOutput;
}

export interface Connected extends Session {
  /** Set when the application refused the connection (`rejectUnauthorizedConnection`). */
  readonly rejection: Failure | undefined;
}

export interface ChannelRun extends Session {
  readonly channel: Channel;
}

/** A piece of application code to run on a connection or channel: a lifecycle callback or an action. */
interface Callback<R> {
  readonly name: string;
  readonly data: unknown;
  readonly method: (this: R, data: unknown) => unknown;
  /** How failures name the place; default `<Class>#<name>`. */
  readonly where?: string;
}

// Lifecycle callbacks take the same shape as actions, so every callback runs one way. Each calls
// the method by name, so a subclass's override is the one that runs.
const CONNECT: Callback<Connection> = {
  name: "connect",
  data: undefined,
  where: "Connect",
  // runConnect calls connect() by name too, and refuses a connect() that neither identified nor rejected.
  method() {
    return runConnect(this);
  },
};
const DISCONNECT: Callback<Connection> = {
  name: "disconnect",
  data: undefined,
  method() {
    return this.disconnect();
  },
};
const SUBSCRIBED: Callback<Channel> = {
  name: "subscribed",
  data: undefined,
  method() {
    return this.subscribed();
  },
};
const UNSUBSCRIBED: Callback<Channel> = {
  name: "unsubscribed",
  data: undefined,
  method() {
    return this.unsubscribed();
  },
};

const DONE = succeed(undefined);

/**
 * Runs typed calls against the application: finds the channel, restores the connection, runs the
 * callback. It never throws and never logs a failure: each comes back as a Failure for the
 * protocol mapping to report, so one bad client or bug cannot take the server down.
 */
export class Dispatcher {
  readonly #channels: ChannelFinder;
  readonly #identifiers: ConnectionIdentifiers;
  readonly #connectionClass: ConnectionClass;
  readonly #broadcaster: Broadcaster;
  readonly #logger: Logger;
  readonly #disconnected = new RecentSessions();

  constructor(options: DispatcherOptions) {
    this.#channels = new ChannelFinder([...options.app.channels, ...(options.builtinChannels ?? [])]);
    this.#connectionClass = options.app.connection;
    this.#identifiers = new ConnectionIdentifiers(options.app.connection);
    this.#broadcaster = options.broadcaster;
    this.#logger = options.logger;
  }

  get registry(): ChannelRegistry {
    return this.#channels.registry;
  }

  async connect(call: ConnectCall): Promise<Outcome<Connected>> {
    const output = new CallOutput();
    const connection = this.#newConnection(call.sid, call.env, output, undefined);
    const ran = await this.#run(connection, CONNECT);
    if (ran.ok) return succeed({ connection, output, rejection: undefined });
    if (ran.failure.error instanceof UnauthorizedError) return succeed({ connection, output, rejection: ran.failure });
    return ran;
  }

  subscribe(call: SubscribeCall): Promise<Outcome<ChannelRun>> {
    return this.#lifecycle(call, SUBSCRIBED);
  }

  unsubscribe(call: UnsubscribeCall): Promise<Outcome<ChannelRun>> {
    return this.#lifecycle(call, UNSUBSCRIBED);
  }

  /** Subscribe and unsubscribe: the same steps, only the callback differs. */
  async #lifecycle(call: SubscribeCall | UnsubscribeCall, callback: Callback<Channel>): Promise<Outcome<ChannelRun>> {
    const found = this.#channels.find(call.identifier, call.command);
    if (!found.ok) return found;
    const session = this.#restore(call.sid, call.env, this.#identifiers.parse(call.connectionIdentifiers, call.command));
    if (!session.ok) return session;
    return this.#runChannel(session.value, call.identifier, found.value, call.env.istate, callback);
  }

  async perform(call: PerformCall): Promise<Outcome<ChannelRun>> {
    const found = this.#channels.findForPerform(call.identifier, call.command);
    if (!found.ok) return found;
    const session = this.#restore(call.sid, call.env, this.#identifiers.parseForPerform(call.connectionIdentifiers, call.command));
    if (!session.ok) return session;
    const action = this.#channels.action(found.value, call.data, call.command);
    if (!action.ok) return action;
    return this.#runChannel(session.value, call.identifier, found.value, call.env.istate, action.value);
  }

  /**
   * anycable-go sends no Unsubscribe when a socket closes: every subscription's `unsubscribed`
   * runs here, each even when an earlier one fails, then the connection's `disconnect`. Returns
   * every failure; none means success.
   */
  async disconnect(call: DisconnectCall): Promise<Failure[]> {
    // anycable-go may repeat a Disconnect (retries on Unavailable); the callbacks run once.
    if (call.sid && !this.#disconnected.add(call.sid)) return [];
    // A connection rejected at Connect still gets a Disconnect, with no identifiers: it was
    // never accepted, so there is nothing to tear down.
    if (call.identifiers === "" && call.subscriptions.length === 0) return [];
    const session = this.#restore(call.sid, call.env, this.#identifiers.parse(call.identifiers, "Disconnect"));
    if (!session.ok) {
      // Forgotten like any failed Disconnect, so anycable-go's retry gets ERROR again, not SUCCESS.
      if (call.sid) this.#disconnected.delete(call.sid);
      return [session.failure];
    }
    const failures: Failure[] = [];
    for (const { identifier, state } of call.subscriptions) {
      const found = this.#channels.find(identifier, "Disconnect");
      if (!found.ok) {
        // Subscriptions anycable-go answered itself (CableReady::Stream with a secret, $pubsub,
        // Turbo streams) are listed too; they have nothing to tear down here.
        if (found.failure.error instanceof ChannelRefusal) {
          this.#logger.debug({ sid: call.sid, identifier: truncate(identifier) }, "disconnect: no channel to unsubscribe");
        } else {
          failures.push(found.failure);
        }
        continue;
      }
      const ran = await this.#runChannel(session.value, identifier, found.value, state, UNSUBSCRIBED);
      if (!ran.ok) failures.push(ran.failure);
    }
    const { connection } = session.value;
    if (connection.identified) {
      const ran = await this.#run(connection, DISCONNECT);
      if (!ran.ok) failures.push(ran.failure);
    }
    // A Disconnect that failed may be retried.
    if (failures.length > 0 && call.sid) this.#disconnected.delete(call.sid);
    return failures;
  }

  /** The connection as Connect identified it, for a later call. */
  #restore(sid: string, env: Env, identifiers: Outcome<Identifiers | undefined>): Outcome<Session> {
    if (!identifiers.ok) return identifiers;
    const output = new CallOutput();
    return succeed({ connection: this.#newConnection(sid, env, output, identifiers.value), output });
  }

  /** The one way a channel callback runs: subscribe, unsubscribe, perform, and each subscription on Disconnect. */
  async #runChannel(
    session: Session,
    identifier: string,
    resolved: ResolvedIdentifier,
    state: Readonly<Record<string, string>> | undefined,
    callback: Callback<Channel>,
  ): Promise<Outcome<ChannelRun>> {
    // The registry vouched that the class is a Channel subclass.
    const ChannelCtor = resolved.channel.channelClass as unknown as new (init: ChannelInit<Connection>) => Channel;
    const channel = new ChannelCtor({
      connection: session.connection,
      identifier,
      params: resolved.params,
      state: new StateStore(state),
      output: session.output,
    });
    // Errors the channel's rescueFrom does not take go to its connection's.
    const ran = await this.#run(channel, callback, session.connection);
    return ran.ok ? succeed({ connection: session.connection, output: session.output, channel }) : ran;
  }

  /**
   * Runs one piece of application code; what it throws goes to the receiver's `rescueFrom`
   * handlers, then to those of `fallback`, and whatever none handles comes back as a Failure.
   */
  async #run<R extends object>(receiver: R, callback: Callback<R>, fallback?: object): Promise<Outcome<undefined>> {
    try {
      await callRescued(receiver, callback.method, callback.data, fallback);
      return DONE;
    } catch (error) {
      return fail(error, callback.where ?? `${receiver.constructor.name}#${callback.name}`);
    }
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
}
