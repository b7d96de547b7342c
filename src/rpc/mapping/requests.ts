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
  // One literal per command rather than a spread: this runs on every call.
  const sid = meta.sid;
  const env = normaliseEnv(request.env);
  const connectionIdentifiers = request.connection_identifiers;
  const identifier = request.identifier;
  if (command === "message") return succeed({ command, sid, env, connectionIdentifiers, identifier, data: request.data });
  return succeed({ command, sid, env, connectionIdentifiers, identifier });
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
