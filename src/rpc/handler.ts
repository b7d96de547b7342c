import type { Logger } from "pino";
import { truncate } from "../cable/truncate.js";
import type { ChannelRegistry } from "../cable/registry.js";
import type { CommandCall, SubscribeCall } from "./dispatch/calls.js";
import { Dispatcher, type DispatcherOptions } from "./dispatch/dispatcher.js";
import type { Failure } from "./dispatch/outcome.js";
import { isRefusal, reportFailure } from "./mapping/report.js";
import { commandCall, connectCall, disconnectCall } from "./mapping/requests.js";
import {
  commandError,
  commandSucceeded,
  connected,
  connectError,
  connectionRejected,
  disconnected,
  disconnectError,
  subscriptionConfirmed,
  subscriptionRejected,
  unsubscribed,
} from "./mapping/responses.js";
import type {
  CallMetadata,
  CommandMessage,
  CommandResponse,
  ConnectionRequest,
  ConnectionResponse,
  DisconnectRequest,
  DisconnectResponse,
} from "./messages.js";

export type RpcHandlerOptions = DispatcherOptions;

/**
 * The three AnyCable RPC calls, whatever the transport (gRPC or HTTP): each request is mapped to a
 * typed call (mapping/requests.ts), dispatched to the application's Connection and Channel classes
 * (dispatch/), and its result mapped to a response (mapping/responses.ts), with any failure
 * reported once (mapping/report.ts). It never throws: every failure becomes a response with the
 * right status and an error_msg.
 */
export class RpcHandler {
  readonly #dispatcher: Dispatcher;
  readonly #logger: Logger;

  constructor(options: RpcHandlerOptions) {
    this.#dispatcher = new Dispatcher(options);
    this.#logger = options.logger;
  }

  get registry(): ChannelRegistry {
    return this.#dispatcher.registry;
  }

  async connect(request: ConnectionRequest, meta: CallMetadata): Promise<ConnectionResponse> {
    const call = connectCall(request, meta);
    if (!call.ok) return connectError(this.#report(call.failure, { sid: meta.sid }));
    const context = { sid: meta.sid, url: call.value.env.url };
    const result = await this.#dispatcher.connect(call.value);
    if (!result.ok) return connectError(this.#report(result.failure, context));
    const session = result.value;
    if (session.rejection) return connectionRejected(session, this.#report(session.rejection, context));
    return connected(session, meta.sid);
  }

  async command(request: CommandMessage, meta: CallMetadata): Promise<CommandResponse> {
    const call = commandCall(request, meta);
    if (!call.ok) return commandError(this.#report(call.failure, { sid: meta.sid }));
    switch (call.value.command) {
      case "subscribe":
        return this.#subscribe(call.value);
      case "unsubscribe": {
        const run = await this.#dispatcher.unsubscribe(call.value);
        return run.ok ? unsubscribed(run.value) : commandError(this.#reportFor(call.value, run.failure));
      }
      case "message": {
        const run = await this.#dispatcher.perform(call.value);
        return run.ok ? commandSucceeded(run.value) : commandError(this.#reportFor(call.value, run.failure));
      }
    }
  }

  async disconnect(request: DisconnectRequest, meta: CallMetadata): Promise<DisconnectResponse> {
    const call = disconnectCall(request, meta);
    if (!call.ok) return disconnectError(this.#report(call.failure, { sid: meta.sid }));
    const failures = await this.#dispatcher.disconnect(call.value);
    return disconnected(failures.map((failure) => this.#report(failure, { sid: meta.sid })));
  }

  async #subscribe(call: SubscribeCall): Promise<CommandResponse> {
    const run = await this.#dispatcher.subscribe(call);
    if (!run.ok) {
      const message = this.#reportFor(call, run.failure);
      return isRefusal(run.failure) ? subscriptionRejected(call.identifier, message) : commandError(message);
    }
    const { channel } = run.value;
    if (channel.rejected) return subscriptionRejected(call.identifier, `Subscription rejected by ${channel.constructor.name}`, run.value);
    return subscriptionConfirmed(call.identifier, run.value);
  }

  #reportFor(call: CommandCall, failure: Failure): string {
    return this.#report(failure, { sid: call.sid, identifier: truncate(call.identifier) });
  }

  #report(failure: Failure, context: Record<string, unknown>): string {
    return reportFailure(this.#logger, failure, context);
  }
}
