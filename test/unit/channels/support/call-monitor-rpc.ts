// Drives the call monitor application through the real RpcHandler, as anycable-go would, for the
// few RPC calls anycable-ts/testing will not send (see twilio-call-channel.test.ts). Also the home
// of the call monitor test constants and bridge headers.
import { RpcHandler } from "../../../../src/rpc/handler.js";
import type { CommandResponse, ConnectionResponse, DisconnectResponse, Env } from "../../../../src/rpc/messages.js";
import { createCallMonitorApplication } from "../../../../channels/app.js";
import { BRIDGE_CREDENTIAL_HEADER } from "../../../../channels/cable/protocol.js";
import { BridgeCredentials } from "../../../../channels/credentials/bridge-credential.js";
import { MemoryCallRegistry } from "../../../../channels/calls/memory-call-registry.js";
import { RecordingBroadcaster } from "../../../fixtures/recording-broadcaster.js";
import { captureLogger, type LogLine } from "../../../support/capture-logger.js";

export const ACCOUNT_SID = "AC0123456789abcdef0123456789abcdef";
export const CALL_SID = "CA0123456789abcdef0123456789abcdef";
export const BRIDGE_SECRET = "unit-test-bridge-secret-0123456789";
export const APP_ENV = { TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_BRIDGE_SECRET: BRIDGE_SECRET };

/** The headers the media-stream bridge connects with for `callSid`: account plus a fresh credential. */
export function twilioHeaders(callSid = CALL_SID, secret = BRIDGE_SECRET): Record<string, string> {
  return { "x-twilio-account": ACCOUNT_SID, [BRIDGE_CREDENTIAL_HEADER]: new BridgeCredentials(secret).issue(callSid) };
}

export const identifierFor = (sid: string): string => JSON.stringify({ channel: "twilio", sid });

export interface CallMonitorRpc {
  handler: RpcHandler;
  broadcaster: RecordingBroadcaster;
  registry: MemoryCallRegistry;
  logs: LogLine[];
  connect(headers?: Record<string, string>, sid?: string): Promise<ConnectionResponse>;
  /** Connects with `headers`, expects success, and returns the identifiers string anycable-go would keep. */
  identify(headers?: Record<string, string>): Promise<string>;
  subscribe(identifiers: string, identifier?: string): Promise<CommandResponse>;
  perform(identifiers: string, data: unknown, identifier?: string): Promise<CommandResponse>;
  unsubscribe(identifiers: string, identifier?: string): Promise<CommandResponse>;
  disconnect(identifiers: string, subscriptions?: string[], sid?: string): Promise<DisconnectResponse>;
}

export function env(headers: Record<string, string> = {}): Env {
  return { url: "http://localhost:8080/cable", headers: { REMOTE_ADDR: "127.0.0.1", ...headers }, cstate: {}, istate: {} };
}

/**
 * A reply reaches anycable-go in a later event-loop turn than the one that produced it, after the
 * turn's batched dashboard broadcast was handed over; every call here waits for that turn too.
 */
async function afterTurn<T>(reply: Promise<T>): Promise<T> {
  const value = await reply;
  await new Promise((resolve) => setImmediate(resolve));
  return value;
}

export function callMonitorRpc(appEnv: NodeJS.ProcessEnv = APP_ENV): CallMonitorRpc {
  const { logger, lines: logs } = captureLogger();
  const broadcaster = new RecordingBroadcaster();
  const registry = new MemoryCallRegistry();
  const app = createCallMonitorApplication({ env: appEnv, logger, registry });
  const handler = new RpcHandler({ app, broadcaster, logger });
  let session = 0;
  const meta = (sid?: string) => ({ sid: sid ?? `session-${++session}`, protov: "v1" });
  const command = (name: string, identifiers: string, identifier: string, data = "") =>
    afterTurn(handler.command({ command: name, identifier, connection_identifiers: identifiers, data, env: env() }, meta()));

  return {
    handler,
    broadcaster,
    registry,
    logs,
    connect: (headers = {}, sid) => afterTurn(handler.connect({ env: env(headers) }, meta(sid))),
    async identify(headers = twilioHeaders()) {
      const response = await handler.connect({ env: env(headers) }, meta());
      if (response.status !== 1) throw new Error(`connect failed: ${response.error_msg}`);
      return response.identifiers;
    },
    subscribe: (identifiers, identifier = identifierFor(CALL_SID)) => command("subscribe", identifiers, identifier),
    perform: (identifiers, data, identifier = identifierFor(CALL_SID)) => command("message", identifiers, identifier, JSON.stringify(data)),
    unsubscribe: (identifiers, identifier = identifierFor(CALL_SID)) => command("unsubscribe", identifiers, identifier),
    disconnect: (identifiers, subscriptions = [identifierFor(CALL_SID)], sid) =>
      afterTurn(handler.disconnect({ identifiers, subscriptions, env: env() }, meta(sid))),
  };
}
