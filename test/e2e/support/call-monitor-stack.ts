// The whole call monitor on this machine: a stock anycable-go, the RPC server, the dashboard and
// the media-stream bridge in this process (sharing nothing but what they would share across
// processes), a local fake of Twilio's REST API that can dial the bridge like Twilio, a
// recognizer, and the broker the chosen adapter needs.
import { randomBytes } from "node:crypto";
import {
  createBroadcaster,
  loadBroadcastConfig,
  silentLogger,
  startRpcServer,
  type Broadcaster,
  type RunningRpcServer,
} from "../../../src/index.js";
import { createCallMonitorApplication } from "../../../channels/app.js";
import { startMediaStreamBridge, type RunningBridge } from "../../../channels/bridge/bridge-server.js";
import { CALL_MONITOR_HEADERS } from "../../../channels/cable/protocol.js";
import type { Recording } from "../../../channels/media-stream/recording.js";
import type { Recognizer } from "../../../channels/speech/recognizer.js";
import type { CallRegistry } from "../../../channels/calls/call-registry.js";
import { createCallRegistry } from "../../../channels/calls/create-call-registry.js";
import { startDashboard, type RunningDashboard } from "../../../channels/web/server.js";
import { bridgeTestConfig } from "../../support/bridge-stack.js";
import {
  freePort,
  LOOPBACK,
  startAnycableGo,
  startFakeTwilioApi,
  startNats,
  startRedis,
  type AnycableGo,
  type NatsServer,
  type FakeTwilioApi,
  type RedisServer,
} from "../../support/index.js";

export const ACCOUNT_SID = "AC5e2e0123456789abcdef0123456789ab";
export const AUTH_TOKEN = "e2e-auth-token";
export const TWILIO_NUMBER = "+15005550006";
export const BRIDGE_SECRET = "e2e-bridge-secret-0123456789abcdef";
export const STREAM_URL = "wss://calls.example.test/twilio";

export interface CallMonitorStack {
  readonly anycable: AnycableGo;
  readonly rpc: RunningRpcServer;
  readonly dashboard: RunningDashboard;
  readonly twilioApi: FakeTwilioApi;
  readonly redis: RedisServer | undefined;
  readonly bridge: RunningBridge | undefined;
  readonly nats: NatsServer | undefined;
  stop(): Promise<void>;
}

export interface StackOptions {
  /**
   * nats: anycable-go's embedded NATS; nats-server: a separate nats-server (which a test can
   * restart); redis: a real redis-server, also holding the call registry.
   */
  adapter: "nats" | "nats-server" | "redis";
  /** Keep the call registry in memory, shared by RPC and dashboard, as `npm start` does. */
  memoryRegistry?: boolean;
  /** A short call lease (CALL_LEASE_SECONDS) and a fast sweep, for tests of calls whose stream died. */
  lease?: { seconds: number; sweepIntervalMs: number };
  /**
   * Run the media-stream bridge with this recognizer and have the fake Twilio dial it with
   * `recording` when the dashboard asks for a call's media stream. Without it, tests speak for
   * the bridge themselves (see twilio-media-stream.ts).
   */
  bridge?: { recognizer: Recognizer; recording: Recording; speed?: number };
}

export async function startCallMonitorStack(options: StackOptions): Promise<CallMonitorStack> {
  const logger = silentLogger();
  const secret = `e2e-${randomBytes(8).toString("hex")}`;
  const cleanups: Array<() => Promise<unknown>> = [];
  const stop = async (): Promise<void> => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };
  try {
    let redis: RedisServer | undefined;
    let nats: NatsServer | undefined;
    let anycableArgs: string[];
    let broadcastEnv: NodeJS.ProcessEnv;
    const leaseEnv: NodeJS.ProcessEnv = options.lease ? { CALL_LEASE_SECONDS: String(options.lease.seconds) } : {};
    let registryEnv: NodeJS.ProcessEnv = { ...leaseEnv };
    if (options.adapter === "redis") {
      redis = await startRedis();
      const server = redis;
      cleanups.push(() => server.stop());
      anycableArgs = ["--broadcast_adapter=redis", `--redis_url=${redis.url}`];
      broadcastEnv = { ANYCABLE_BROADCAST_ADAPTER: "redis", ANYCABLE_REDIS_URL: redis.url };
      if (!options.memoryRegistry) registryEnv = { ...leaseEnv, REDIS_URL: redis.url };
    } else if (options.adapter === "nats-server") {
      nats = await startNats();
      const server = nats;
      cleanups.push(() => server.stop());
      anycableArgs = ["--broadcast_adapter=nats", `--nats_servers=${nats.url}`];
      broadcastEnv = { ANYCABLE_BROADCAST_ADAPTER: "nats", ANYCABLE_NATS_SERVERS: nats.url };
    } else {
      const natsUrl = `nats://${LOOPBACK}:${await freePort()}`;
      anycableArgs = [`--enats_addr=${natsUrl}`, "--broadcast_adapter=nats", `--nats_servers=${natsUrl}`];
      broadcastEnv = { ANYCABLE_BROADCAST_ADAPTER: "nats", ANYCABLE_NATS_SERVERS: natsUrl };
    }

    // The RPC side, as `npm run rpc` builds it. With Redis, RPC and dashboard each get their own
    // registry client, as two processes would; in memory they share one, as `npm start` would.
    const rpcRegistry = createCallRegistry(registryEnv, logger);
    cleanups.push(() => rpcRegistry.close());
    const webRegistry: CallRegistry = registryEnv.REDIS_URL ? createCallRegistry(registryEnv, logger) : rpcRegistry;
    if (webRegistry !== rpcRegistry) cleanups.push(() => webRegistry.close());
    const broadcaster: Broadcaster = createBroadcaster(loadBroadcastConfig(broadcastEnv), logger);
    const app = createCallMonitorApplication({
      env: { TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_BRIDGE_SECRET: BRIDGE_SECRET },
      logger,
      registry: rpcRegistry,
    });
    const rpc = await startRpcServer({
      app,
      broadcaster,
      logger,
      config: { host: `${LOOPBACK}:0` },
      env: {},
      cableReady: { secret },
    });
    cleanups.push(() => rpc.stop());

    const anycable = await startAnycableGo({
      rpcHost: `${LOOPBACK}:${rpc.port}`,
      embedNats: options.adapter === "nats",
      headers: CALL_MONITOR_HEADERS,
      args: [...anycableArgs, "--cable_ready", `--cable_ready_secret=${secret}`],
    });
    cleanups.push(() => anycable.stop());

    let bridge: RunningBridge | undefined;
    if (options.bridge) {
      const running = await startMediaStreamBridge({
        config: bridgeTestConfig({
          cableUrl: anycable.url,
          streamUrl: STREAM_URL,
          authToken: AUTH_TOKEN,
          accountSid: ACCOUNT_SID,
          secret: BRIDGE_SECRET,
          maxStreams: 20,
        }),
        recognizer: options.bridge.recognizer,
        logger,
      });
      bridge = running;
      cleanups.push(() => running.close());
    }

    const twilioApi = await startFakeTwilioApi({
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      invalidNumbers: ["+15005550001"],
      ...(bridge && options.bridge
        ? { mediaStreams: { connectUrl: bridge.url, recording: options.bridge.recording, speed: options.bridge.speed ?? 1 } }
        : {}),
    });
    cleanups.push(() => twilioApi.close());

    const dashboard = await startDashboard({
      env: {
        PORT: "0",
        CABLE_URL: anycable.url,
        ANYCABLE_CABLE_READY_SECRET: secret,
        TWILIO_ACCOUNT_SID: ACCOUNT_SID,
        TWILIO_AUTH_TOKEN: AUTH_TOKEN,
        TWILIO_PHONE_NUMBER: TWILIO_NUMBER,
        TWILIO_STREAM_URL: STREAM_URL,
        TWILIO_BRIDGE_SECRET: BRIDGE_SECRET,
        TWILIO_API_BASE_URL: twilioApi.url,
        ...leaseEnv,
      },
      logger,
      registry: webRegistry,
      broadcaster,
      attach: { pollIntervalMs: 100, answerTimeoutMs: 10_000 },
      ...(options.lease ? { sweepIntervalMs: options.lease.sweepIntervalMs } : {}),
    });
    // Before the RPC server: it closes the broadcaster the dashboard shares.
    cleanups.push(() => dashboard.close());

    return { anycable, rpc, dashboard, twilioApi, redis, bridge, nats, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
