// The path of a real phone call, on this machine: the media-stream bridge, a stock anycable-go and
// the call monitor's RPC server, with a recognizer chosen by the test. Every RPC call anycable-go
// makes is written down, so tests can pin the exact sequence the application sees.
import { silentLogger, startRpcServer, type Logger, type RunningRpcServer } from "../../src/index.js";
import type { CommandMessage, ConnectionRequest, DisconnectRequest } from "../../src/rpc/messages.js";
import { startMediaStreamBridge, type RunningBridge } from "../../channels/bridge/bridge-server.js";
import type { BridgeConfig } from "../../channels/bridge/bridge-config.js";
import { createCallMonitorApplication } from "../../channels/cable/call-monitor-application.js";
import { CALL_MONITOR_HEADERS } from "../../channels/cable/protocol.js";
import { StreamTokens, STREAM_TOKEN_PARAMETER } from "../../channels/credentials/stream-token.js";
import { playMediaStream, type PlayOutcome } from "../../channels/media-stream/stream-player.js";
import type { Recording } from "../../channels/media-stream/recording.js";
import { MemoryCallRegistry } from "../../channels/calls/memory-call-registry.js";
import type { Recognizer } from "../../channels/speech/recognizer.js";
import { RecordingBroadcaster } from "../fixtures/recording-broadcaster.js";
import { startAnycableGo, type AnycableGo } from "./anycable-go.js";
import { LOOPBACK } from "./ports.js";

export const BRIDGE_ACCOUNT_SID = "AC0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b";
export const BRIDGE_AUTH_TOKEN = "bridge-test-auth-token";
export const BRIDGE_SECRET = "bridge-test-secret-0123456789abcdef";
export const PUBLIC_STREAM_URL = "wss://calls.example.test/twilio/stream";

/** One RPC call as anycable-go made it, reduced to what the application sees. */
export type RpcCall =
  | { rpc: "connect"; session: string; headers: Record<string, string>; status: number; identifiers: string }
  | { rpc: "command"; session: string; command: string; identifier: string; data: string; status: number }
  | { rpc: "disconnect"; session: string; identifiers: string; subscriptions: string[]; status: number };

export interface BridgeStack {
  readonly anycable: AnycableGo;
  readonly rpc: RunningRpcServer;
  readonly bridge: RunningBridge;
  readonly registry: MemoryCallRegistry;
  readonly broadcaster: RecordingBroadcaster;
  /** Every RPC call, in the order the RPC server answered them. */
  readonly rpcCalls: RpcCall[];
  /** The RPC calls of the anycable-go sessions that subscribed to (or connected for) this call. */
  rpcCallsOf(callSid: string): RpcCall[];
  /** A fresh stream token for the call, as the dashboard mints it when placing the call. */
  token(callSid: string, options?: { ttlMs?: number; now?: () => number; secret?: string }): string;
  /** Plays a recording to the bridge as Twilio would (signed, with the token unless overridden). */
  call(recording: Recording, options?: CallOptions): Promise<PlayOutcome>;
  stop(): Promise<void>;
}

export interface CallOptions {
  callSid?: string;
  accountSid?: string;
  customParameters?: Record<string, string>;
  authToken?: string;
  speed?: number;
}

export interface BridgeStackOptions {
  recognizer: Recognizer;
  logger?: Logger;
  heartbeatIntervalMs?: number;
  flushTimeoutMs?: number;
  maxStreams?: number;
}

/** Wraps the server's handler so every call it answers is pushed to `calls`. */
export function recordRpcCalls(rpc: RunningRpcServer, calls: RpcCall[]): void {
  const handler = rpc.handler;
  const connect = handler.connect.bind(handler);
  const command = handler.command.bind(handler);
  const disconnect = handler.disconnect.bind(handler);
  handler.connect = async (request: ConnectionRequest, meta) => {
    const response = await connect(request, meta);
    const headers = Object.fromEntries(Object.entries(request.env?.headers ?? {}).filter(([name]) => name !== "REMOTE_ADDR"));
    calls.push({ rpc: "connect", session: meta.sid ?? "", headers, status: response.status, identifiers: response.identifiers });
    return response;
  };
  handler.command = async (request: CommandMessage, meta) => {
    const response = await command(request, meta);
    calls.push({
      rpc: "command",
      session: meta.sid ?? "",
      command: request.command,
      identifier: request.identifier,
      data: request.data,
      status: response.status,
    });
    return response;
  };
  handler.disconnect = async (request: DisconnectRequest, meta) => {
    const response = await disconnect(request, meta);
    calls.push({
      rpc: "disconnect",
      session: meta.sid ?? "",
      identifiers: request.identifiers,
      subscriptions: [...request.subscriptions],
      status: response.status,
    });
    return response;
  };
}

/** A bridge's config for tests: on a free loopback port, in front of `cableUrl`, with the account it serves. */
export function bridgeTestConfig(
  options: Pick<BridgeConfig, "cableUrl" | "streamUrl" | "authToken" | "accountSid" | "secret"> & Partial<BridgeConfig>,
): BridgeConfig {
  return { host: LOOPBACK, port: 0, heartbeatIntervalMs: 30_000, flushTimeoutMs: 5_000, maxStreams: 200, ...options };
}

export async function startBridgeStack(options: BridgeStackOptions): Promise<BridgeStack> {
  const logger = options.logger ?? silentLogger();
  const cleanups: Array<() => Promise<unknown>> = [];
  const stop = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  };
  try {
    const registry = new MemoryCallRegistry();
    const broadcaster = new RecordingBroadcaster();
    const app = createCallMonitorApplication({
      env: { TWILIO_ACCOUNT_SID: BRIDGE_ACCOUNT_SID, TWILIO_BRIDGE_SECRET: BRIDGE_SECRET },
      logger,
      registry,
    });
    const rpc = await startRpcServer({ app, broadcaster, logger, config: { host: `${LOOPBACK}:0` }, env: {} });
    cleanups.push(() => rpc.stop());
    const rpcCalls: RpcCall[] = [];
    recordRpcCalls(rpc, rpcCalls);

    const anycable = await startAnycableGo({ rpcHost: `${LOOPBACK}:${rpc.port}`, headers: CALL_MONITOR_HEADERS });
    cleanups.push(() => anycable.stop());

    const config = bridgeTestConfig({
      cableUrl: anycable.url,
      streamUrl: PUBLIC_STREAM_URL,
      authToken: BRIDGE_AUTH_TOKEN,
      accountSid: BRIDGE_ACCOUNT_SID,
      secret: BRIDGE_SECRET,
      ...(options.heartbeatIntervalMs === undefined ? {} : { heartbeatIntervalMs: options.heartbeatIntervalMs }),
      ...(options.flushTimeoutMs === undefined ? {} : { flushTimeoutMs: options.flushTimeoutMs }),
      ...(options.maxStreams === undefined ? {} : { maxStreams: options.maxStreams }),
    });
    const bridge = await startMediaStreamBridge({ config, recognizer: options.recognizer, logger });
    cleanups.push(() => bridge.close());

    const token: BridgeStack["token"] = (callSid, tokenOptions = {}) =>
      new StreamTokens(tokenOptions.secret ?? BRIDGE_SECRET, tokenOptions).mint(callSid);

    return {
      anycable,
      rpc,
      bridge,
      registry,
      broadcaster,
      rpcCalls,
      rpcCallsOf(callSid) {
        const sessions = new Set(
          rpcCalls
            .filter(
              (c) =>
                (c.rpc === "connect" && c.identifiers.includes(callSid)) ||
                (c.rpc === "command" && c.identifier.includes(callSid)) ||
                (c.rpc === "disconnect" && c.identifiers.includes(callSid)),
            )
            .map((c) => c.session),
        );
        return rpcCalls.filter((c) => sessions.has(c.session));
      },
      token,
      call(recording, callOptions = {}) {
        const callSid = callOptions.callSid ?? recording.callSid;
        return playMediaStream({
          connectUrl: bridge.url,
          streamUrl: PUBLIC_STREAM_URL,
          authToken: callOptions.authToken ?? BRIDGE_AUTH_TOKEN,
          accountSid: callOptions.accountSid ?? BRIDGE_ACCOUNT_SID,
          callSid,
          customParameters: callOptions.customParameters ?? { [STREAM_TOKEN_PARAMETER]: token(callSid) },
          recording,
          speed: callOptions.speed ?? 1,
          logger,
        });
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
