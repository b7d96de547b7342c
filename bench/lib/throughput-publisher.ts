// The RPC-side process of the throughput benchmark: one process holding our broadcaster for every
// adapter (CableReady → createBroadcaster, the defaults an application gets) and the plainest
// client of the same broker (nats.js publish + flush, ioredis PUBLISH / XADD pipelined, a fetch
// POST loop). It publishes a burst when asked and reports when the burst was handed to the broker
// and what its memory did; the subscribers' process reports when the burst arrived.
import { Redis } from "ioredis";
import { connect as connectNats, type NatsConnection } from "nats";
import { pino } from "pino";
import {
  CableReady,
  createBroadcaster,
  html,
  loadBroadcastConfig,
  operations,
  type OperationBuilder,
  type QueuedBroadcaster,
} from "anycable-ts";
import { sleep } from "./stats.js";

export type ThroughputAdapter = "nats" | "redis" | "redisx" | "http";

export interface PublisherConfig {
  stream: string;
  adapters: ThroughputAdapter[];
  /**
   * The overload phase's ANYCABLE_BROADCAST_QUEUE_SIZE: the bound is what is shown, whatever its
   * size; below the default 10,000 so the HTTP drain (one POST at a time) takes seconds on a busy host.
   */
  floodQueueSize: number;
  targets: { nats: string; redis: string; http: string };
}

export interface BurstResult {
  variant: string;
  count: number;
  /** process.hrtime.bigint() as strings: CLOCK_MONOTONIC, the same clock the subscribers read. */
  startNs: string;
  handedOffNs: string;
  heapBefore: number;
  heapPeak: number;
  rssBefore: number;
  rssPeak: number;
  /** Ours: publications waiting in the queue right after the burst was issued. */
  maxPending: number;
  /** Calls that rejected (ours) or threw (raw). */
  failures: number;
  /** User + system CPU of this process from the first call to the hand-off of the last (all threads). */
  cpuMicros: number;
}

export interface FloodResult {
  adapter: ThroughputAdapter;
  seconds: number;
  offered: number;
  accepted: number;
  /** Rejected with BroadcastQueueFullError: the caller was told, and an error was logged. */
  rejectedQueueFull: number;
  rejectedOther: number;
  maxPending: number;
  queueSize: number;
  /** Heap in use after a forced GC: before, highest sample of each half of the flood, after draining. */
  liveHeapBefore: number;
  liveHeapFirstHalf: number;
  liveHeapSecondHalf: number;
  liveHeapAfter: number;
  rssBefore: number;
  /** Highest RSS sample of each half of the flood. */
  rssPeakFirstHalf: number;
  rssPeakSecondHalf: number;
  /** From the end of the flood until the queue was empty. */
  drainMs: number;
  drained: boolean;
}

const SUBJECT = "__anycable__";

/** Error-level log lines of our broadcasters, by kind: a loss is never silent, so it shows here. */
const loggedErrors = { queueFull: 0, other: 0, lastOther: "" };
const logger = pino(
  { level: "error" },
  {
    write(line: string) {
      if (line.includes("broadcast queue is full")) loggedErrors.queueFull++;
      else {
        loggedErrors.other++;
        loggedErrors.lastOther = line.slice(0, 500);
      }
    },
  },
);

/** The Cable Ready operations of one transcript line, as the call monitor would send them. */
function transcriptOperations(queue: OperationBuilder, id: string): void {
  queue.append({
    selector: "#events",
    html: html`<div id="event_${id}" class="event transcript final" data-bench="${id}"><time datetime="2026-01-01T00:00:00.000Z" data-local-time>00:00:00 UTC</time><p>Hi, I am calling about my order from last Tuesday, it has not arrived yet.</p></div>`,
  });
}

interface Variant {
  name: string;
  adapter: ThroughputAdapter;
  publisher: "ours" | "raw";
  /** Issues `count` publications tagged `${tag}-${i}`; resolves once the broker has them all. */
  burst(tag: string, count: number, memory: MemoryPeak): Promise<number>;
  close(): Promise<void>;
}

class MemoryPeak {
  heap = 0;
  rss = 0;
  sample(): void {
    const { heapUsed, rss } = process.memoryUsage();
    if (heapUsed > this.heap) this.heap = heapUsed;
    if (rss > this.rss) this.rss = rss;
  }
}

/** The default broadcaster (settles on acceptance) per adapter, for the overload phase. */
const floodBroadcasters = new Map<ThroughputAdapter, QueuedBroadcaster>();
let floodBroadcasterQueueSize = 0;
const variants = new Map<string, Variant>();
let maxPendingOfBurst = 0;

function adapterEnv(adapter: ThroughputAdapter, config: PublisherConfig): Record<string, string> {
  switch (adapter) {
    case "nats":
      return { ANYCABLE_BROADCAST_ADAPTER: "nats", ANYCABLE_NATS_SERVERS: config.targets.nats };
    case "redis":
    case "redisx":
      return { ANYCABLE_BROADCAST_ADAPTER: adapter, ANYCABLE_REDIS_URL: config.targets.redis };
    case "http":
      return { ANYCABLE_BROADCAST_ADAPTER: "http", ANYCABLE_HTTP_BROADCAST_URL: config.targets.http, ANYCABLE_BROADCAST_KEY: "none" };
  }
}

/** Resolves once the broadcaster holds nothing: every publication acknowledged by the broker. */
async function drained(broadcaster: QueuedBroadcaster, timeoutMs: number, onTick?: () => void): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (broadcaster.pending > 0) {
    if (Date.now() > deadline) return false;
    await sleep(5);
    onTick?.();
  }
  return true;
}

function oursVariant(adapter: ThroughputAdapter, config: PublisherConfig): Variant {
  // Settling on the broker's acknowledgement makes the last promise of a burst mark its hand-off
  // exactly; otherwise it is the same queue, pump and transport as the default mode.
  const broadcaster = createBroadcaster(loadBroadcastConfig(adapterEnv(adapter, config)), logger, { settleOn: "delivered" });
  floodBroadcasters.set(
    adapter,
    createBroadcaster(
      loadBroadcastConfig({ ...adapterEnv(adapter, config), ANYCABLE_BROADCAST_QUEUE_SIZE: String(config.floodQueueSize) }),
      logger,
    ),
  );
  return {
    name: `ours-${adapter}`,
    adapter,
    publisher: "ours",
    async burst(tag, count, memory) {
      let failures = 0;
      const settled: Promise<unknown>[] = [];
      for (let i = 0; i < count; i++) {
        const cableReady = new CableReady(broadcaster);
        transcriptOperations(cableReady.stream(config.stream), `${tag}-${i}`);
        settled.push(cableReady.broadcast().catch(() => failures++));
      }
      maxPendingOfBurst = broadcaster.pending;
      memory.sample();
      await Promise.all(settled);
      return failures;
    },
    close: () => broadcaster.close(),
  };
}

/** The same bytes our broadcaster sends (a one-element batch), built the same way. */
function rawPayload(config: PublisherConfig, id: string): string {
  const ops = operations();
  transcriptOperations(ops, id);
  return JSON.stringify([{ stream: config.stream, data: ops.serialize() }]);
}

async function rawVariant(adapter: ThroughputAdapter, config: PublisherConfig): Promise<Variant> {
  const base = { name: `raw-${adapter}`, adapter, publisher: "raw" as const };
  if (adapter === "nats") {
    const nc: NatsConnection = await connectNats({ servers: config.targets.nats });
    return {
      ...base,
      async burst(tag, count, memory) {
        for (let i = 0; i < count; i++) nc.publish(SUBJECT, rawPayload(config, `${tag}-${i}`));
        memory.sample();
        await nc.flush();
        return 0;
      },
      close: () => nc.drain(),
    };
  }
  if (adapter === "redis" || adapter === "redisx") {
    const redis = new Redis(config.targets.redis, { lazyConnect: true });
    await redis.connect();
    const send =
      adapter === "redis"
        ? (payload: string) => redis.publish(SUBJECT, payload)
        : (payload: string) => redis.xadd(SUBJECT, "*", "payload", payload);
    return {
      ...base,
      async burst(tag, count, memory) {
        let failures = 0;
        const replies: Promise<unknown>[] = [];
        // Issued in one go: ioredis pipelines them on its connection.
        for (let i = 0; i < count; i++) replies.push(send(rawPayload(config, `${tag}-${i}`)).catch(() => failures++));
        memory.sample();
        await Promise.all(replies);
        return failures;
      },
      close: async () => {
        await redis.quit();
      },
    };
  }
  return {
    ...base,
    async burst(tag, count, memory) {
      let failures = 0;
      for (let i = 0; i < count; i++) {
        const response = await fetch(config.targets.http, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: rawPayload(config, `${tag}-${i}`),
        });
        await response.arrayBuffer();
        if (!response.ok) failures++;
        if (i % 64 === 0) memory.sample();
      }
      return failures;
    },
    close: async () => {},
  };
}

async function setup(config: PublisherConfig): Promise<string[]> {
  floodBroadcasterQueueSize = config.floodQueueSize;
  for (const adapter of config.adapters) {
    const ours = oursVariant(adapter, config);
    variants.set(ours.name, ours);
    const raw = await rawVariant(adapter, config);
    variants.set(raw.name, raw);
  }
  // Our transports connect in the background: one publication each, awaited, proves they are up.
  await Promise.all([...variants.values()].filter((v) => v.publisher === "ours").map((v) => v.burst("probe", 1, new MemoryPeak())));
  for (const [adapter, broadcaster] of floodBroadcasters) {
    await broadcaster.broadcast(`${config.stream}_probe`, "{}");
    if (!(await drained(broadcaster, 30_000))) throw new Error(`ours-${adapter} (default mode): never connected`);
  }
  return [...variants.keys()];
}

async function burst(name: string, tag: string, count: number): Promise<BurstResult> {
  const variant = variants.get(name);
  if (!variant) throw new Error(`unknown variant ${name}`);
  const before = process.memoryUsage();
  const memory = new MemoryPeak();
  maxPendingOfBurst = 0;
  const cpuBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  const failures = await variant.burst(tag, count, memory);
  const handedOff = process.hrtime.bigint();
  const cpu = process.cpuUsage(cpuBefore);
  memory.sample();
  return {
    variant: name,
    count,
    startNs: started.toString(),
    handedOffNs: handedOff.toString(),
    heapBefore: before.heapUsed,
    heapPeak: memory.heap,
    rssBefore: before.rss,
    rssPeak: memory.rss,
    maxPending: maxPendingOfBurst,
    failures,
    cpuMicros: cpu.user + cpu.system,
  };
}

/** Heap still in use after a full collection (the child runs with --expose-gc). */
function liveHeap(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
}

/**
 * Publishes far faster than any broker takes it (bursts of `perTick` calls, then one turn of the
 * event loop) for `seconds`, to a stream of its own, through the default broadcaster (settles on
 * acceptance). The queue fills to its limit and refuses the rest at once; memory must stop there
 * rather than follow the backlog. Live heap is sampled after a forced GC every 250 ms.
 */
async function flood(adapter: ThroughputAdapter, stream: string, seconds: number, perTick: number): Promise<FloodResult> {
  const broadcaster = floodBroadcasters.get(adapter);
  if (!broadcaster) throw new Error(`no broadcaster for ${adapter}`);
  const data = JSON.stringify({ flood: true, text: "x".repeat(64) });
  const liveBefore = liveHeap();
  const rssBefore = process.memoryUsage().rss;
  const live = [0, 0];
  const rss = [0, 0];
  let offered = 0;
  let accepted = 0;
  let rejectedQueueFull = 0;
  let rejectedOther = 0;
  let maxPending = 0;
  const started = Date.now();
  const ends = started + seconds * 1000;
  let nextSample = started + 250;
  const rejected = (error: unknown): void => {
    if (error instanceof Error && error.name === "BroadcastQueueFullError") rejectedQueueFull++;
    else rejectedOther++;
  };
  const sample = (half: number): void => {
    live[half] = Math.max(live[half] as number, liveHeap());
    rss[half] = Math.max(rss[half] as number, process.memoryUsage().rss);
  };
  while (Date.now() < ends) {
    for (let i = 0; i < perTick; i++) {
      offered++;
      broadcaster.broadcast(stream, data).then(() => accepted++, rejected);
    }
    if (broadcaster.pending > maxPending) maxPending = broadcaster.pending;
    const now = Date.now();
    if (now >= nextSample) {
      sample(now < started + (seconds * 1000) / 2 ? 0 : 1);
      nextSample = now + 250;
    }
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  sample(1);
  const floodEnded = Date.now();
  const ok = await drained(broadcaster, 120_000);
  const drainMs = Date.now() - floodEnded;
  return {
    adapter,
    seconds,
    offered,
    accepted,
    rejectedQueueFull,
    rejectedOther,
    maxPending,
    queueSize: floodBroadcasterQueueSize,
    liveHeapBefore: liveBefore,
    liveHeapFirstHalf: live[0] as number,
    liveHeapSecondHalf: live[1] as number,
    liveHeapAfter: liveHeap(),
    rssBefore,
    rssPeakFirstHalf: rss[0] as number,
    rssPeakSecondHalf: rss[1] as number,
    drainMs,
    drained: ok,
  };
}

process.on(
  "message",
  (message: {
    type?: string;
    config?: PublisherConfig;
    variant?: string;
    tag?: string;
    count?: number;
    adapter?: ThroughputAdapter;
    stream?: string;
    seconds?: number;
    perTick?: number;
  }) => {
    const reply = (value: Record<string, unknown>): void => {
      process.send?.(value);
    };
    const fail = (error: unknown): void =>
      reply({ type: "error", message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    if (message.type === "setup" && message.config) {
      setup(message.config).then((names) => reply({ type: "set-up", variants: names }), fail);
    } else if (message.type === "burst" && message.variant && message.tag && message.count) {
      burst(message.variant, message.tag, message.count).then((result) => reply({ type: "burst-done", result }), fail);
    } else if (message.type === "flood" && message.adapter && message.stream && message.seconds && message.perTick) {
      flood(message.adapter, message.stream, message.seconds, message.perTick).then((result) => reply({ type: "flooded", result }), fail);
    } else if (message.type === "errors") {
      reply({ type: "error-counts", ...loggedErrors });
    } else if (message.type === "stop") {
      void Promise.all([...variants.values()].map((v) => v.close().catch(() => {}))).finally(() => process.exit(0));
    }
  },
);
process.on("disconnect", () => process.exit(0));
process.send?.({ type: "ready" });
