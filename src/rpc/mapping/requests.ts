import type { CallMetadata, CommandMessage, ConnectionRequest, DisconnectRequest } from "../messages.js";
import type { CommandCall, ConnectCall, DisconnectCall } from "../dispatch/calls.js";
import { fail, succeed, type Outcome } from "../dispatch/outcome.js";
import { ProtocolError } from "../dispatch/refusals.js";
import { channelStateOf, normaliseEnv } from "./env.js";
import { protocolVersionError } from "./protocol-version.js";

/** Wire requests (as gRPC or HTTP decoded them) into typed calls; a request off the protocol is a ProtocolError. */

export function connectCall(request: ConnectionRequest, meta: CallMetadata): Outcome<ConnectCall> {
  const versionError = protocolVersionError(meta);
  if (versionError) return fail(new ProtocolError(versionError), "Connect");
  return succeed({ sid: meta.sid, env: normaliseEnv(request.env) });
}

export function commandCall(request: CommandMessage, meta: CallMetadata): Outcome<CommandCall> {
  const versionError = protocolVersionError(meta);
  if (versionError) return fail(new ProtocolError(versionError), "Command");
  const { command } = request;
  if (command !== "subscribe" && command !== "unsubscribe" && command !== "message") {
    const message = `Unknown command ${JSON.stringify(String(command).slice(0, 64))}: expected subscribe, unsubscribe or message`;
    return fail(new ProtocolError(message), "Command");
  }
  const fields = {
    sid: meta.sid,
    env: normaliseEnv(request.env),
    connectionIdentifiers: request.connection_identifiers,
    identifier: request.identifier,
  };
  return succeed(command === "message" ? { ...fields, command, data: request.data } : { ...fields, command });
}

export function disconnectCall(request: DisconnectRequest, meta: CallMetadata): Outcome<DisconnectCall> {
  const versionError = protocolVersionError(meta);
  if (versionError) return fail(new ProtocolError(versionError), "Disconnect");
  const env = normaliseEnv(request.env);
  return succeed({
    sid: meta.sid,
    env,
    identifiers: request.identifiers,
    subscriptions: request.subscriptions.map((identifier) => ({ identifier, state: channelStateOf(env.istate, identifier) })),
  });
}
