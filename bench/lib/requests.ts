// The RPC requests a stock anycable-go 1.5.6 sends for one Twilio media stream: field for field
// what protocol.NewConnectMessage / NewCommandMessage build (env carries url and the proxied
// headers on every call, cstate/istate on commands).
import type { CommandMessage, ConnectionRequest } from "../../src/rpc/messages.js";
import { BRIDGE_CREDENTIAL_HEADER, TWILIO_ACCOUNT_HEADER, twilioCallIdentifier } from "../../channels/cable/protocol.js";
import { BridgeCredentials } from "../../channels/credentials/bridge-credential.js";

/** The account the RPC child is configured with; the x-twilio-account header must match it. */
export const ACCOUNT_SID = "AC0123456789abcdef0123456789abcdef";
export const SESSION_ID = "bench-session-0001";
export const CABLE_URL = "http://127.0.0.1:8080/cable";
/** TWILIO_BRIDGE_SECRET of the RPC children: the load side connects as the media-stream bridge does. */
export const BRIDGE_SECRET = "bench-bridge-secret-0123456789abcdef";
/** The environment the call monitor needs to accept the bench's Twilio connections. */
export const APP_ENV = { TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_BRIDGE_SECRET: BRIDGE_SECRET };

/**
 * What the bridge sends at Connect for a call: the account and a fresh credential for its SID.
 * A credential is valid for a minute, so long runs build new ones as they go.
 */
export function twilioHeaders(sid: string): Record<string, string> {
  return { [TWILIO_ACCOUNT_HEADER]: ACCOUNT_SID, [BRIDGE_CREDENTIAL_HEADER]: new BridgeCredentials(BRIDGE_SECRET).issue(sid) };
}

/** A Twilio call SID for client `index`: "CA" + 32 lower-case hex digits, distinct per index. */
export function callSidFor(index: number): string {
  return `CA${index.toString(16).padStart(32, "0")}`;
}

export function callIdentifier(sid: string): string {
  return twilioCallIdentifier(sid);
}

export function twilioIdentifiers(sid: string): string {
  return JSON.stringify({ role: "twilio", callSid: sid });
}

export const TRANSCRIPT_DATA = JSON.stringify({
  action: "handle_message",
  result: {
    event: "transcript",
    id: "r-0042",
    text: "Hi, I am calling about my order from last Tuesday, it has not arrived yet.",
    final: true,
  },
});

export type RpcMethod = "Connect" | "Command";

export interface RpcCase {
  /** Table label. */
  name: "connect" | "subscribe" | "message";
  method: RpcMethod;
  request: ConnectionRequest | CommandMessage;
}

export function rpcCases(sid: string = callSidFor(1)): RpcCase[] {
  const identifier = callIdentifier(sid);
  const headers = { REMOTE_ADDR: "127.0.0.1", ...twilioHeaders(sid) };
  const connectionIdentifiers = twilioIdentifiers(sid);
  return [
    { name: "connect", method: "Connect", request: { env: { url: CABLE_URL, headers, cstate: {}, istate: {} } } },
    {
      name: "subscribe",
      method: "Command",
      request: {
        command: "subscribe",
        identifier,
        connection_identifiers: connectionIdentifiers,
        data: "",
        env: { url: CABLE_URL, headers, cstate: {}, istate: {} },
      },
    },
    {
      name: "message",
      method: "Command",
      request: {
        command: "message",
        identifier,
        connection_identifiers: connectionIdentifiers,
        data: TRANSCRIPT_DATA,
        env: { url: CABLE_URL, headers, cstate: {}, istate: {} },
      },
    },
  ];
}
