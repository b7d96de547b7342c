import { encodeIdentifiers } from "../../cable/identifiers.js";
import type { ChannelRun, Session } from "../dispatch/dispatcher.js";
import { Status, type CommandResponse, type ConnectionResponse, type DisconnectResponse } from "../messages.js";
import { envDelta } from "./env.js";

/** Dispatch results into wire responses. Every response sets its status: ERROR is the zero value. */

/** What a refused connection is told before anycable-go closes it, as Action Cable clients expect. */
export const UNAUTHORIZED_DISCONNECT = JSON.stringify({ type: "disconnect", reason: "unauthorized", reconnect: false });

export function connected({ connection, output }: Session, sid: string): ConnectionResponse {
  // anycable-go sends no welcome of its own.
  const welcome = JSON.stringify(sid ? { type: "welcome", sid } : { type: "welcome" });
  return {
    status: Status.SUCCESS,
    identifiers: encodeIdentifiers(connection.identified ? connection.identifiers : undefined),
    transmissions: [...output.transmissions, welcome],
    error_msg: "",
    env: envDelta(connection.state, undefined),
  };
}

export function connectionRejected({ connection, output }: Session, message: string): ConnectionResponse {
  return {
    status: Status.FAILURE,
    identifiers: "",
    transmissions: [...output.transmissions, UNAUTHORIZED_DISCONNECT],
    error_msg: message,
    env: envDelta(connection.state, undefined),
  };
}

export function connectError(message: string): ConnectionResponse {
  return { status: Status.ERROR, identifiers: "", transmissions: [], error_msg: message, env: null };
}

export function subscriptionConfirmed(identifier: string, run: ChannelRun): CommandResponse {
  // The confirmation goes before anything the channel transmitted while subscribing. Built
  // around the one string that varies: the bytes JSON.stringify({ identifier, type }) makes.
  run.output.transmissions.unshift(`{"identifier":${JSON.stringify(identifier)},"type":"confirm_subscription"}`);
  return commandSucceeded(run);
}

/**
 * A refused subscription: FAILURE with reject_subscription and no streams, since anycable-go
 * applies streams even from a FAILURE. State changes the channel made before rejecting still go back.
 */
export function subscriptionRejected(identifier: string, message: string, run?: ChannelRun): CommandResponse {
  return {
    ...failedCommand(Status.FAILURE, message),
    transmissions: [JSON.stringify({ identifier, type: "reject_subscription" })],
    env: run ? envDelta(run.connection.state, run.channel.state) : null,
  };
}

/** After a non-error unsubscribe anycable-go stops the channel's streams and drops its state anyway; we say so too. */
export function unsubscribed(run: ChannelRun): CommandResponse {
  return { ...commandSucceeded(run), stop_streams: true };
}

/** Everything the callback produced: transmissions, streams, state changes, presence, disconnect. */
export function commandSucceeded({ connection, channel, output }: ChannelRun): CommandResponse {
  return {
    status: Status.SUCCESS,
    disconnect: output.disconnect,
    stop_streams: output.stopAllStreams,
    streams: output.streams,
    transmissions: output.transmissions,
    error_msg: "",
    env: envDelta(connection.state, channel.state),
    stopped_streams: output.stoppedStreams,
    presence: output.presence ? { ...output.presence, ttl: 0 } : null,
  };
}

export function commandError(message: string): CommandResponse {
  return failedCommand(Status.ERROR, message);
}

export function disconnected(errors: readonly string[]): DisconnectResponse {
  return errors.length === 0 ? { status: Status.SUCCESS, error_msg: "" } : { status: Status.ERROR, error_msg: errors.join("; ") };
}

export function disconnectError(message: string): DisconnectResponse {
  return { status: Status.ERROR, error_msg: message };
}

/** A command that did nothing: no streams, no transmissions, no disconnect, only why. */
function failedCommand(status: Status, message: string): CommandResponse {
  return {
    status,
    disconnect: false,
    stop_streams: false,
    streams: [],
    transmissions: [],
    error_msg: message,
    env: null,
    stopped_streams: [],
    presence: null,
  };
}
