// The call monitor in the production layout, on loopback: two stock anycable-go nodes sharing
// broadcasts through Redis (redisx broadcasts, redis pub/sub), two call-monitor RPC servers behind
// one dns:// name, each with its own client of the shared Redis call registry, and one
// media-stream bridge in front of each node. A call's media stream comes in through bridge B, so
// every RPC call it causes goes through node B; a dashboard viewer connected to node A watches.
import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { createBroadcaster, loadBroadcastConfig, silentLogger, signStreamName, startRpcServer } from "../../../src/index.js";
import { startMediaStreamBridge, type RunningBridge } from "../../../channels/bridge/bridge-server.js";
import { createCallMonitorApplication } from "../../../channels/cable/call-monitor-application.js";
import { CALL_MONITOR_HEADERS } from "../../../channels/cable/protocol.js";
import { createCallRegistry } from "../../../channels/calls/create-call-registry.js";
import type { CallRegistry } from "../../../channels/calls/call-registry.js";
import { StreamTokens, STREAM_TOKEN_PARAMETER } from "../../../channels/credentials/stream-token.js";
import { playMediaStream } from "../../../channels/media-stream/stream-player.js";
import { callEventHtml } from "../../../channels/views/call-event-html.js";
import { callListItemId } from "../../../channels/views/call-list-item.js";
import { CALLS_STREAM, callStream } from "../../../channels/views/live-regions.js";
import { bridgeTestConfig, recordRpcCalls, type RpcCall } from "../../support/bridge-stack.js";
import { startFakeVoskRecognizer } from "../../support/fake-vosk-recognizer.js";
import { syntheticRecording } from "../../support/synthetic-recording.js";
import {
  connectCable,
  freePort,
  startAnycableGo,
  startDnsServer,
  startRedis,
  waitFor,
  type AnycableGo,
  type ChannelSubscription,
} from "../../support/index.js";

const RPC_NAME = "rpc.calls.test";
const RPC_ADDRESSES = ["127.0.0.1", "127.0.0.2"] as const;
const ACCOUNT_SID = "AC7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a";
const AUTH_TOKEN = "multi-node-auth-token";
const BRIDGE_SECRET = "multi-node-bridge-secret-0123456789";
const STREAM_URL = "wss://bridge.example.test/twilio";
const PHRASES = ["hello world", "please call me back", "thank you goodbye"];
const CALL_SID = `CA${"b".repeat(32)}`;

const logger = silentLogger();
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});
function started<T extends { stop?(): Promise<unknown>; close?(): Promise<unknown> }>(thing: T): T {
  cleanups.push(() => (thing.stop ?? thing.close)?.call(thing) ?? Promise.resolve());
  return thing;
}

/** One call-monitor RPC process as `npm run rpc` builds it from the Procfile's env. */
async function startCallMonitorRpc(address: string, port: number, env: Record<string, string>, secret: string) {
  const registry = createCallRegistry(env, logger);
  cleanups.push(() => registry.close());
  const app = createCallMonitorApplication({
    env: { TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_BRIDGE_SECRET: BRIDGE_SECRET },
    logger,
    registry,
  });
  const rpc = started(
    await startRpcServer({
      app,
      broadcaster: createBroadcaster(loadBroadcastConfig(env), logger),
      logger,
      config: { host: `${address}:${port}` },
      env: {},
      cableReady: { secret },
    }),
  );
  const calls: RpcCall[] = [];
  recordRpcCalls(rpc, calls);
  return { registry, calls };
}

async function startBridgeInFrontOf(node: AnycableGo, recognizer: Parameters<typeof startMediaStreamBridge>[0]["recognizer"]) {
  return started<RunningBridge>(
    await startMediaStreamBridge({
      config: bridgeTestConfig({
        cableUrl: node.url,
        streamUrl: STREAM_URL,
        authToken: AUTH_TOKEN,
        accountSid: ACCOUNT_SID,
        secret: BRIDGE_SECRET,
      }),
      recognizer,
      logger,
    }),
  );
}

type Operation = { operation: string; id?: string; html?: string; seq?: number; selector?: string };
const operationsOf = (feed: ChannelSubscription): Operation[] =>
  feed.messages.flatMap((m) =>
    typeof m === "object" && m !== null && "operations" in m ? (m as { operations: Operation[] }).operations : [],
  );

describe("the call monitor on two anycable-go nodes, two RPC processes and two bridges", () => {
  it("shows a viewer on node A a call whose media stream came in through node B: every transcript, in order, once", async () => {
    const secret = `multi-node-${randomBytes(8).toString("hex")}`;
    const redis = started(await startRedis());
    // The Procfile's rpc lines: one REDIS_URL for broadcasts (redisx) and the call registry.
    const rpcEnv = { ANYCABLE_BROADCAST_ADAPTER: "redisx", REDIS_URL: redis.url };
    const dns = await startDnsServer(RPC_NAME, RPC_ADDRESSES);
    cleanups.push(() => dns.close());
    const rpcPort = await freePort();
    const rpcs = await Promise.all(RPC_ADDRESSES.map((address) => startCallMonitorRpc(address, rpcPort, rpcEnv, secret)));
    const [nodeA, nodeB] = await Promise.all(
      ["A", "B"].map(async () =>
        started(
          await startAnycableGo({
            rpcHost: `dns://127.0.0.1:${dns.port}/${RPC_NAME}:${rpcPort}`,
            headers: CALL_MONITOR_HEADERS,
            args: [
              "--broadcast_adapter=redisx",
              "--pubsub=redis",
              // Without a broker, anycable-go 1.5's legacy one hands a broadcast to pub/sub only when
              // the node that took it (one consumer of the redisx group) has a subscriber of that
              // stream itself: this viewer on node A would miss what node B took. The memory broker
              // always publishes. (1.6.16 delivers without it.)
              "--broker=memory",
              `--redis_url=${redis.url}`,
              "--cable_ready",
              `--cable_ready_secret=${secret}`,
            ],
          }),
        ),
      ),
    );
    if (!nodeA || !nodeB) throw new Error("two nodes expected");
    const speech = started(await startFakeVoskRecognizer(PHRASES));
    await startBridgeInFrontOf(nodeA, speech.recognizer);
    const bridgeB = await startBridgeInFrontOf(nodeB, speech.recognizer);

    // A dashboard viewer on node A: the call list and this call's timeline, as the page's signed
    // <cable-ready-stream-from> elements subscribe to them.
    const viewer = started(await connectCable(nodeA.url));
    const list = await viewer.subscribe("CableReady::Stream", { identifier: signStreamName(CALLS_STREAM, secret) });
    const timeline = await viewer.subscribe("CableReady::Stream", { identifier: signStreamName(callStream(CALL_SID), secret) });
    // A confirmed subscription does not say node A's pub/sub already carries the stream: a probe
    // published from the RPC side must arrive before the call starts.
    const probe = started(createBroadcaster(loadBroadcastConfig(rpcEnv), logger));
    for (const feed of [list, timeline]) {
      const stream = feed === list ? CALLS_STREAM : callStream(CALL_SID);
      await waitFor(
        async () => {
          await probe.broadcast(stream, { probe: true });
          return feed.messages.length > 0;
        },
        { timeoutMs: 10_000, intervalMs: 100, description: `a probe on ${stream} at node A` },
      );
    }

    // The call, as Twilio would stream it to bridge B.
    const recording = syntheticRecording({
      callSid: CALL_SID,
      accountSid: ACCOUNT_SID,
      utterances: PHRASES.length,
      toneMs: 500,
      silenceMs: 600,
    });
    const playing = playMediaStream({
      connectUrl: bridgeB.url,
      streamUrl: STREAM_URL,
      authToken: AUTH_TOKEN,
      accountSid: ACCOUNT_SID,
      callSid: CALL_SID,
      customParameters: { [STREAM_TOKEN_PARAMETER]: new StreamTokens(BRIDGE_SECRET).mint(CALL_SID) },
      recording,
      speed: 1,
      logger,
    });
    // Mid-call, once node A's viewer has seen the first transcript, both RPC processes see it live.
    const [first, second] = rpcs.map((r) => r.registry) as [CallRegistry, CallRegistry];
    await timeline.waitForMessage(() => operationsOf(timeline).some((op) => (op.seq ?? 0) >= 2), 20_000);
    const live = (await first.liveCalls()).map((c) => c.sid);
    expect(live).toEqual([CALL_SID]);
    expect((await second.liveCalls()).map((c) => c.sid)).toEqual(live);
    const outcome = await playing;
    expect(outcome).toMatchObject({ completed: true, closeCode: 1000 });
    const results = speech.recognizer.resultsOf(CALL_SID);
    expect(results.filter((r) => r.final).map((r) => r.text)).toEqual(PHRASES);

    // The registry, read through either RPC process's client: one timeline, ended, nothing live.
    await waitFor(async () => (await first.events(CALL_SID)).some((e) => e.kind === "end"), {
      timeoutMs: 10_000,
      description: "the call's end in the registry",
    });
    const snapshot = await first.snapshot(CALL_SID);
    expect(await second.snapshot(CALL_SID)).toEqual(snapshot);
    expect(await first.liveCalls()).toEqual([]);
    expect(await second.liveCalls()).toEqual([]);
    expect(snapshot.events.map((e) => e.kind)).toEqual(["start", ...PHRASES.map(() => "transcript"), "end"]);
    expect(snapshot.events.flatMap((e) => (e.kind === "transcript" ? [e.text] : []))).toEqual(PHRASES);

    // Node B's round robin spread the call's RPC calls over both processes.
    for (const { calls } of rpcs) expect(calls.filter((c) => c.rpc === "command" && c.command === "message").length).toBeGreaterThan(0);

    // Node A's viewer got every change of the timeline once, in order (1, 2, 3… with no gap and no
    // repeat), one per recognizer result plus the start and the end, ending where the registry is.
    await timeline.waitForMessage(() => operationsOf(timeline).at(-1)?.seq === snapshot.seq, 10_000);
    const changes = operationsOf(timeline);
    expect(changes.map((op) => op.seq)).toEqual(Array.from({ length: snapshot.seq }, (_, i) => i + 1));
    expect(changes).toHaveLength(results.length + 2);
    // What the viewer last saw of each event is what a page loaded now renders from the registry.
    const lastSeen = new Map(changes.map((op) => [op.id, op.html]));
    expect(lastSeen).toEqual(new Map(snapshot.events.map((e) => [e.key, String(callEventHtml(e))])));

    // The list showed the call, then took it away.
    await list.waitForMessage(() => operationsOf(list).some((op) => op.operation === "remove"), 10_000);
    expect(operationsOf(list).map((op) => [op.operation, op.id ?? op.selector])).toEqual([
      ["upsertHtml", callListItemId(CALL_SID)],
      ["remove", `#${callListItemId(CALL_SID)}`],
    ]);
    expect(viewer.state()).toBe("connected");
  }, 60_000);
});
