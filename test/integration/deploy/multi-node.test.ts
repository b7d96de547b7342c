// The production layout, on loopback: two stock anycable-go nodes sharing broadcasts through a
// broker (Redis or NATS), and two RPC processes behind one DNS name with two A records, which
// anycable-go 1.5.6 (no grpc-list://) dials with round_robin, one HTTP/2 connection per address.
import { afterEach, describe, expect, it } from "vitest";
import {
  REPO_ROOT,
  connectCable,
  freePort,
  nodeChildEnv,
  spawnProcess,
  startAnycableGo,
  startDnsServer,
  startNats,
  startRedis,
  waitFor,
  type AnycableGo,
  type CableClient,
  type ChannelSubscription,
  type ManagedProcess,
} from "../../support/index.js";

const RPC_NAME = "rpc.cable.test";
const RPC_ADDRESSES = ["127.0.0.1", "127.0.0.2"] as const;
const ROOM = "lobby";
/** Where the probe that warms up each node's RPC connections talks, away from the tests' room. */
const PROBE_ROOM = "probe";
const SUBSCRIBERS_PER_NODE = 3;
const BROADCASTS = 40;
const KILL_AT = 20;
const SLOW_WORK_MS = 500;

interface Layout {
  name: string;
  startBroker(): Promise<{ url: string; stop(): Promise<unknown> }>;
  /** anycable-go flags of every node. */
  nodeArgs(url: string): string[];
  /** Environment of every RPC process; `nodeB` for an application that publishes to one node over HTTP. */
  rpcEnv(url: string, nodeB: AnycableGo): Record<string, string>;
}

const LAYOUTS: Layout[] = [
  {
    // redisx: broadcasts go through a Redis Stream read by one node's consumer group member, which
    // re-publishes them to every node over Redis pub/sub (--pubsub). --broker=memory: without a
    // broker, anycable-go 1.5 re-publishes only streams that node itself has subscribers of (every
    // node has some here; multi-node-call-monitor.test.ts is the case where one node has none).
    name: "Redis (redisx broadcasts, redis pub/sub)",
    startBroker: startRedis,
    nodeArgs: (url) => ["--broadcast_adapter=redisx", "--pubsub=redis", "--broker=memory", `--redis_url=${url}`],
    rpcEnv: (url) => ({ ANYCABLE_BROADCAST_ADAPTER: "redisx", REDIS_URL: url }),
  },
  {
    name: "NATS (nats broadcasts, nats pub/sub)",
    startBroker: startNats,
    nodeArgs: (url) => ["--broadcast_adapter=nats", "--pubsub=nats", `--nats_servers=${url}`],
    rpcEnv: (url) => ({ ANYCABLE_BROADCAST_ADAPTER: "nats", ANYCABLE_NATS_SERVERS: url }),
  },
  {
    // The application posts every broadcast to one node's HTTP endpoint (here node B; behind a
    // load balancer, any node), and Redis pub/sub carries it to the others.
    name: "HTTP broadcasts to node B, redis pub/sub",
    startBroker: startRedis,
    nodeArgs: (url) => ["--broadcast_adapter=http", "--pubsub=redis", "--broker=memory", `--redis_url=${url}`],
    rpcEnv: (_url, nodeB) => ({ ANYCABLE_BROADCAST_ADAPTER: "http", ANYCABLE_HTTP_BROADCAST_URL: nodeB.broadcastUrl ?? "" }),
  },
];

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

async function startRpc(address: string, port: number, env: Record<string, string>): Promise<ManagedProcess> {
  // Straight under node with tsx's loader, so the pid the fixture reports is this child's.
  const rpc = await spawnProcess({
    name: `rpc@${address}`,
    command: process.execPath,
    args: ["--import", "tsx", "src/cli/main.ts", "test/fixtures/relay-app.ts"],
    cwd: REPO_ROOT,
    env: nodeChildEnv({ ANYCABLE_RPC_HOST: `${address}:${port}`, ...env }),
  });
  cleanups.push(() => rpc.stop());
  await rpc.waitForOutput(/AnyCable RPC server listening/, 20_000);
  return rpc;
}

async function deploy(layout: Layout) {
  const broker = await layout.startBroker();
  cleanups.push(() => broker.stop());
  const dns = await startDnsServer(RPC_NAME, RPC_ADDRESSES);
  cleanups.push(() => dns.close());
  const rpcPort = await freePort();
  // Nodes first: anycable-go starts without its RPC backends and dials them when they come up.
  const nodes: AnycableGo[] = [];
  for (const _ of ["A", "B"]) {
    const node = await startAnycableGo({
      rpcHost: `dns://127.0.0.1:${dns.port}/${RPC_NAME}:${rpcPort}`,
      args: layout.nodeArgs(broker.url),
    });
    cleanups.push(() => node.stop());
    nodes.push(node);
  }
  const [nodeA, nodeB] = nodes as [AnycableGo, AnycableGo];
  // The first process is the one the tests kill mid-call. It holds its slow calls until then: with
  // a timed slow part, a kill that came after it (the "started" log line is written in batches, then
  // read here; under load that took up to 90 ms of the 500) would find the call already answered.
  const rpc = await Promise.all(
    RPC_ADDRESSES.map((address, i) =>
      startRpc(address, rpcPort, { ...layout.rpcEnv(broker.url, nodeB), ...(i === 0 ? { RELAY_HOLD_SLOW_CALLS: "1" } : {}) }),
    ),
  );
  await Promise.all(nodes.map((node) => reachEveryProcess(node, rpc)));
  return { rpc, nodeA, nodeB };
}

/**
 * anycable-go's gRPC channel is lazy: it dials every address on its first call and round-robins
 * over the connections that are ready, so until the slower one is up every call goes to the other
 * process (seen once in ~30 runs of this file: the at-least-once test's process to be killed never
 * published either of its two calls, and the test timed out waiting for it). The tests
 * count on calls alternating, so each node first calls until it has been answered by every
 * process. The probe stays connected until the test ends: its Disconnect would be a call of its
 * own, in the middle of the ones a test counts on alternating.
 */
async function reachEveryProcess(node: AnycableGo, rpc: readonly ManagedProcess[]): Promise<void> {
  const probe = await join(node, "probe", PROBE_ROOM);
  const answeredBy = new Set<number>();
  let id = 0;
  await waitFor(
    async () => {
      const call = id++;
      await probe.room.perform("say", { id: call });
      answeredBy.add((await probe.room.waitForMessage<Ack>((m) => isAck(m) && m.ack === call)).pid);
      return rpc.every((p) => answeredBy.has(p.pid));
    },
    {
      timeoutMs: 20_000,
      description: `${node.url} to have called every RPC process`,
      details: () =>
        `answered by pids ${[...answeredBy].join(", ") || "none"} of ${rpc.map((p) => p.pid).join(", ")}\n${node.process.describe()}`,
    },
  );
}

async function join(node: AnycableGo, user: string, roomName = ROOM): Promise<{ client: CableClient; room: ChannelSubscription }> {
  const client = await connectCable(node.url, { headers: { cookie: `user=${user}` } });
  cleanups.push(() => client.close());
  // When anycable-go never answers a subscribe (an RPC that failed, say), only its log says why.
  const room = await client.subscribe("relay", { room: roomName }).catch((error: unknown) => {
    throw new Error(`${user} on ${node.url}: ${error instanceof Error ? error.message : String(error)}\n${node.process.describe()}`);
  });
  return { client, room };
}

type Broadcast = { id: number; from: string };
type Ack = { ack: number; pid: number };
const isBroadcast = (m: unknown): m is Broadcast => typeof m === "object" && m !== null && "id" in m;
const isAck = (m: unknown): m is Ack => typeof m === "object" && m !== null && "ack" in m;
const broadcastIds = (room: ChannelSubscription): number[] => room.messages.filter(isBroadcast).map((m) => m.id);
async function say(
  speaker: { room: ChannelSubscription },
  id: number,
  work: { workMs?: number; replyAfterMs?: number } = {},
): Promise<void> {
  await speaker.room.perform("say", { id, ...work });
  await speaker.room.waitForMessage<Ack>((m) => isAck(m) && m.ack === id);
}
const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

describe.each(LAYOUTS)("two anycable-go nodes and two RPC processes: $name", (layout) => {
  it("delivers every broadcast once to every subscriber on both nodes, and survives an RPC process killed mid-run", async () => {
    const { rpc, nodeA, nodeB } = await deploy(layout);
    const onA = await Promise.all(range(0, SUBSCRIBERS_PER_NODE).map((i) => join(nodeA, `ann-${i}`)));
    const onB = await Promise.all(range(0, SUBSCRIBERS_PER_NODE).map((i) => join(nodeB, `bob-${i}`)));
    const everyone = [...onA, ...onB];
    const speakerOnB = onB[0] as { room: ChannelSubscription };

    // A call that came in through node B publishes; a client on node A receives it.
    await speakerOnB.room.perform("say", { id: 0 });
    expect(await (onA[0] as { room: ChannelSubscription }).room.waitForMessage(isBroadcast)).toEqual({ id: 0, from: "bob-0" });

    // Speakers on both nodes take turns, each waiting for its reply but not for the others' broadcasts.
    for (let id = 1; id < KILL_AT; id++) await say(everyone[id % everyone.length] as { room: ChannelSubscription }, id);
    // A reply does not mean the broadcast left the process: the broadcaster settles a call's
    // publication once it is queued (settleOn "accepted"), so a SIGKILL loses whatever the victim
    // still holds (an HTTP POST being retried after a reset keep-alive socket, under load). The
    // kill below is about calls in flight, so every earlier broadcast must have arrived first.
    await Promise.all(everyone.map(({ room }) => room.waitForMessage(() => broadcastIds(room).length >= KILL_AT, 10_000)));

    // Every client starts a slow call at once; each node's round robin puts at least one of its three
    // on each process. One process dies without a goodbye (SIGKILL) while working on them.
    const victim = rpc[0] as ManagedProcess;
    const survivor = rpc[1] as ManagedProcess;
    const slowIds = range(KILL_AT, KILL_AT + everyone.length);
    const slow = Promise.all(everyone.map((speaker, i) => say(speaker, KILL_AT + i, { workMs: SLOW_WORK_MS })));
    await victim.waitForOutput(/slow say started/, 5_000);
    victim.signal("SIGKILL");
    await victim.exited;
    await slow;
    for (let id = KILL_AT + everyone.length; id < BROADCASTS; id++)
      await say(everyone[id % everyone.length] as { room: ChannelSubscription }, id);

    // The victim had started slow calls of its own; anycable-go retried each one on the survivor.
    const startedOnVictim = victim
      .logLines()
      .filter((l) => l.includes("slow say started"))
      .map((l) => (JSON.parse(l) as { id: number }).id);
    expect(startedOnVictim.length).toBeGreaterThan(0);
    const acks = everyone.flatMap(({ room }) => room.messages.filter(isAck));
    for (const id of slowIds) expect(acks.filter((a) => a.ack === id)).toHaveLength(1);
    for (const id of startedOnVictim) expect(acks.find((a) => a.ack === id)?.pid).toBe(survivor.pid);

    // Nobody lost a broadcast, nobody got one twice, on either node.
    await Promise.allSettled(everyone.map(({ room }) => room.waitForMessage(() => broadcastIds(room).length >= BROADCASTS, 10_000)));
    await new Promise((resolve) => setTimeout(resolve, 300)); // time for a duplicate to show up
    for (const { room } of everyone) expect([...broadcastIds(room)].sort((a, b) => a - b)).toEqual(range(0, BROADCASTS));

    // Every call got exactly one reply; calls were spread over both processes before the kill, and
    // the survivor served every call after it, so no client noticed.
    expect(acks.map((a) => a.ack).sort((a, b) => a - b)).toEqual(range(0, BROADCASTS));
    expect(new Set(acks.filter((a) => a.ack < KILL_AT).map((a) => a.pid))).toEqual(new Set([victim.pid, survivor.pid]));
    expect(new Set(acks.filter((a) => a.ack >= KILL_AT).map((a) => a.pid))).toEqual(new Set([survivor.pid]));
    for (const { client } of everyone) expect(client.state()).toBe("connected");

    // A client connecting after the kill is served by the survivor.
    const late = await join(nodeA, "late");
    await late.room.perform("say", { id: BROADCASTS });
    expect(await late.room.waitForMessage(isAck)).toEqual({ ack: BROADCASTS, pid: survivor.pid });
    expect(await speakerOnB.room.waitForMessage<Broadcast>((m) => isBroadcast(m) && m.id === BROADCASTS)).toEqual({
      id: BROADCASTS,
      from: "late",
    });
  }, 40_000);
});

// What does not hold: anycable-go retries a command whose connection broke (gRPC Unavailable)
// without knowing whether the application ran it, so delivery is at-least-once. A process killed
// after publishing but before replying has its call run again elsewhere, and subscribers see that
// broadcast twice. Pinned so a change in anycable-go (or a dedupe of ours) shows up here.
describe("an RPC process killed after its call published", () => {
  it("runs the call again on the survivor, so subscribers get that broadcast twice (at-least-once)", async () => {
    const { rpc, nodeA, nodeB } = await deploy(LAYOUTS[0] as Layout);
    const listener = await join(nodeA, "ann");
    const speakers = await Promise.all(range(0, 2).map((i) => join(nodeB, `bob-${i}`)));
    const victim = rpc[0] as ManagedProcess;
    const survivor = rpc[1] as ManagedProcess;
    // Node B's round robin puts one of two consecutive calls on each process.
    const calls = Promise.all(speakers.map((speaker, i) => say(speaker, i, { replyAfterMs: SLOW_WORK_MS })));
    const published = await victim.waitForOutput(/slow say published/, 5_000);
    victim.signal("SIGKILL");
    await victim.exited;
    await calls;
    const rerun = (JSON.parse(published) as { id: number }).id;
    const acks = speakers.flatMap(({ room }) => room.messages.filter(isAck));
    expect(acks.map((a) => a.ack).sort()).toEqual([0, 1]);
    expect(acks.find((a) => a.ack === rerun)?.pid).toBe(survivor.pid);
    await listener.room.waitForMessage(() => broadcastIds(listener.room).length >= 3);
    expect([...broadcastIds(listener.room)].sort()).toEqual([0, 1, rerun].sort());
  }, 30_000);
});
