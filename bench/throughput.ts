// Benchmark: broadcast throughput. One RPC-side process publishes bursts of Cable Ready
// publications through each adapter (our broadcaster, CableReady → createBroadcaster) and through
// the plainest client of the same broker (the raw publisher), via a real anycable-go to 1,000
// WebSocket subscribers of one stream. Variants take turns in shuffled order round after round;
// a burst counts when every subscriber got every publication, once each and in order. Then an
// overload phase publishes far faster than each broker takes it, to show the queue (and so the
// publishing process's memory) stops at its limit and that every accepted publication arrives.
import { Redis } from "ioredis";
import { startRedis, type RedisServer } from "../test/support/redis.js";
import type { AnycableGo } from "../test/support/anycable-go.js";
import { startBenchAnycable } from "./lib/anycable.js";
import { NodeChild, pin } from "./lib/children.js";
import type { BenchContext } from "./lib/context.js";
import type { BenchResult, Cell, Target } from "./lib/report.js";
import { median, seededRandom, shuffled, sleep } from "./lib/stats.js";
import type { BurstResult, FloodResult, PublisherConfig, ThroughputAdapter } from "./lib/throughput-publisher.js";
import type { BurstReceipt, FloodCounts, SubscribersConfig } from "./lib/throughput-subscribers.js";

const ADAPTERS: ThroughputAdapter[] = ["nats", "redis", "redisx", "http"];
const TARGET_RATIO = 0.9;
const MB = 1024 * 1024;

/** One burst of one variant in one round, as both ends saw it. */
export interface BurstRun {
  round: number;
  variant: string;
  adapter: ThroughputAdapter;
  publisher: "ours" | "raw";
  publications: number;
  subscribers: number;
  delivered: number;
  expected: number;
  outOfOrder: number;
  failures: number;
  /** Publications per second, first publish to the last subscriber's last receipt; null when not everything arrived. */
  endToEndPerSecond: number | null;
  /** Publications per second, first publish to the broker's acknowledgement of the last. */
  handOffPerSecond: number;
  /** The publishing process's CPU per publication until hand-off: what it takes from anycable-go's core. */
  cpuMicrosPerPublication: number;
  heapGrowthBytes: number;
  rssPeakBytes: number;
  maxPending: number;
}

interface FloodRun extends FloodResult {
  /**
   * Publications of the flood found past our process: by a NATS / Redis Pub/Sub subscription of
   * the benchmark's own, by the server's XADD count (INFO commandstats) for the Redis stream, by the HTTP flood stream's one WebSocket
   * subscriber. Every accepted publication must be there.
   */
  reachedBroker: number;
  countedBy: string;
}

const SUBJECT = "__anycable__";

function xaddCalls(commandstats: string): number {
  return Number(/^cmdstat_xadd:calls=(\d+)/m.exec(commandstats)?.[1] ?? 0);
}
const COUNTED_BY: Record<ThroughputAdapter, string> = {
  nats: "a NATS subscription",
  redis: "a Redis SUBSCRIBE",
  redisx: "Redis's XADD call count",
  http: "a WebSocket subscriber",
};

export async function broadcastThroughput(ctx: BenchContext): Promise<BenchResult> {
  const subscribers = ctx.clients?.[0] ?? (ctx.smoke ? 20 : 1_000);
  // At 20–30 publications/s to 1,000 subscribers on this host, a burst of 200 lasts 7–10 s.
  const perBurst = ctx.smoke ? 20 : 200;
  const rounds = ctx.smoke ? 1 : Math.max(ctx.reps, 5);
  const floodSeconds = ctx.smoke ? 1 : 3;
  const stream = "call_CA00000000000000000000000000000013";
  const floodStream = (adapter: ThroughputAdapter): string => `throughput_flood_${adapter}`;
  let redis: RedisServer | undefined;
  let anycable: AnycableGo | undefined;
  let subs: NodeChild | undefined;
  let publisher: NodeChild | undefined;
  try {
    redis = await startRedis();
    await pin(redis.process.pid, ctx.serverCpu);
    anycable = await startBenchAnycable(
      {
        embedNats: true,
        broadcastAdapter: "http,redis,redisx,nats",
        args: ["--norpc", "--public", `--redis_url=${redis.url}`],
      },
      ctx.serverCpu,
    );
    subs = await NodeChild.start({
      name: "throughput-subscribers",
      script: "bench/lib/throughput-subscribers.ts",
      config: {},
      cpus: ctx.driverCpu,
      logDir: ctx.workDir,
    });
    // The RPC side shares anycable-go's core, as it would on one host: what it spends, the fan-out loses.
    publisher = await NodeChild.start({
      name: "throughput-publisher",
      script: "bench/lib/throughput-publisher.ts",
      config: {},
      // The overload phase reads the heap after a full collection.
      nodeArgs: ["--expose-gc"],
      cpus: ctx.serverCpu,
      logDir: ctx.workDir,
    });
    const subsConfig: SubscribersConfig = {
      url: anycable.url,
      subscribers,
      stream,
      floodStreams: { nats: floodStream("nats"), redis: floodStream("redis"), http: floodStream("http") },
      natsUrl: anycable.natsUrl as string,
      redisUrl: redis.url,
      subject: SUBJECT,
    };
    ctx.progress(`throughput: connecting ${subscribers} subscribers`);
    await subs.request({ type: "connect", config: subsConfig }, "connected", 120_000);
    const publisherConfig: PublisherConfig = {
      stream,
      adapters: ADAPTERS,
      floodQueueSize: ctx.smoke ? 200 : 2_000,
      targets: { nats: anycable.natsUrl as string, redis: redis.url, http: anycable.broadcastUrl as string },
    };
    const { variants } = await publisher.request<{ type: string; variants: string[] }>(
      { type: "setup", config: publisherConfig },
      "set-up",
      60_000,
    );

    const runBurst = async (round: number, variant: string, count: number): Promise<BurstRun> => {
      const tag = `r${round}-${variant}`;
      await (subs as NodeChild).request({ type: "expect", tag, perSocket: count }, "expecting", 10_000);
      const { result } = await (publisher as NodeChild).request<{ type: string; result: BurstResult }>(
        { type: "burst", variant, tag, count },
        "burst-done",
        180_000,
      );
      const { receipt } = await (subs as NodeChild).request<{ type: string; receipt: BurstReceipt }>(
        { type: "collect", graceMs: ctx.smoke ? 10_000 : 60_000 },
        "collected",
        90_000,
      );
      const start = BigInt(result.startNs);
      const seconds = (ns: string): number => Number(BigInt(ns) - start) / 1e9;
      const [adapter, publisherKind] = [variant.split("-")[1] as ThroughputAdapter, variant.split("-")[0] as "ours" | "raw"];
      return {
        round,
        variant,
        adapter,
        publisher: publisherKind,
        publications: count,
        subscribers,
        delivered: receipt.delivered,
        expected: count * subscribers,
        outOfOrder: receipt.outOfOrder,
        failures: result.failures + (receipt.closedSockets > 0 ? receipt.closedSockets : 0),
        endToEndPerSecond: receipt.complete && receipt.lastNs !== null ? count / seconds(receipt.lastNs) : null,
        handOffPerSecond: count / seconds(result.handedOffNs),
        cpuMicrosPerPublication: result.cpuMicros / count,
        heapGrowthBytes: result.heapPeak - result.heapBefore,
        rssPeakBytes: result.rssPeak,
        maxPending: result.maxPending,
      };
    };

    ctx.progress(`throughput: warming up ${variants.length} variants`);
    for (const variant of variants) await runBurst(0, variant, Math.min(perBurst, 50));
    const random = seededRandom(ctx.seed);
    const runs: BurstRun[] = [];
    for (let round = 1; round <= rounds; round++) {
      ctx.progress(`throughput: round ${round}/${rounds}, ${perBurst} publications per variant`);
      for (const variant of shuffled(variants, random)) {
        const run = await runBurst(round, variant, perBurst);
        runs.push(run);
        ctx.progress(
          `  ${variant}: ${run.endToEndPerSecond === null ? "incomplete" : `${run.endToEndPerSecond.toFixed(0)}/s`} end to end, ${run.handOffPerSecond.toFixed(0)}/s handed off, delivered ${run.delivered}/${run.expected}${run.outOfOrder > 0 ? `, ${run.outOfOrder} out of order` : ""}`,
        );
        // Let anycable-go's writers and the sockets go quiet before the next variant starts.
        await sleep(ctx.smoke ? 50 : 500);
      }
    }

    const floods: FloodRun[] = [];
    // anycable-go deletes stream entries it has read (XACK + XDEL), so count XADDs at the server.
    const redisCounter = new Redis(redis.url);
    try {
      for (const adapter of ADAPTERS) {
        ctx.progress(`throughput: overload through ours-${adapter} for ${floodSeconds} s`);
        const reached = async (): Promise<number> =>
          adapter === "redisx"
            ? xaddCalls(await redisCounter.info("commandstats"))
            : (await (subs as NodeChild).request<{ type: string; counts: FloodCounts }>({ type: "flood-count" }, "flood-counted", 10_000))
                .counts[adapter];
        const before = await reached();
        const { result } = await publisher.request<{ type: string; result: FloodResult }>(
          { type: "flood", adapter, stream: floodStream(adapter), seconds: floodSeconds, perTick: ctx.smoke ? 200 : 1_000 },
          "flooded",
          240_000,
        );
        // Our queue is empty once the broker acknowledged everything; the counting end may lag.
        let after = await reached();
        for (let waited = 0; after - before < result.accepted && waited < 30_000; waited += 250) {
          await sleep(250);
          after = await reached();
        }
        floods.push({ ...result, reachedBroker: after - before, countedBy: COUNTED_BY[adapter] });
      }
    } finally {
      redisCounter.disconnect();
    }
    const errors = await publisher.request<{ type: string; queueFull: number; other: number; lastOther: string }>(
      { type: "errors" },
      "error-counts",
      10_000,
    );
    return summarise(runs, floods, errors, { subscribers, perBurst, rounds, floodSeconds }, ctx);
  } finally {
    await publisher?.stop(5_000);
    await subs?.stop(5_000);
    await anycable?.stop();
    await redis?.stop();
  }
}

const RAW_NAMES: Record<ThroughputAdapter, string> = {
  nats: "raw nats.js publish + flush",
  redis: "raw ioredis PUBLISH, pipelined",
  redisx: "raw ioredis XADD, pipelined",
  http: "raw fetch POST loop",
};

/** Median over rounds of ours ÷ raw, each ratio from the same round. */
function roundRatio(runs: BurstRun[], adapter: ThroughputAdapter, pick: (run: BurstRun) => number | null): number {
  const ratios: number[] = [];
  for (const round of new Set(runs.map((r) => r.round))) {
    const ours = runs.find((r) => r.round === round && r.adapter === adapter && r.publisher === "ours");
    const raw = runs.find((r) => r.round === round && r.adapter === adapter && r.publisher === "raw");
    const [a, b] = [ours && pick(ours), raw && pick(raw)];
    if (typeof a === "number" && typeof b === "number" && b > 0) ratios.push(a / b);
  }
  return median(ratios);
}

function summarise(
  runs: BurstRun[],
  floods: FloodRun[],
  errors: { queueFull: number; other: number; lastOther: string },
  sizes: { subscribers: number; perBurst: number; rounds: number; floodSeconds: number },
  ctx: BenchContext,
): BenchResult {
  const rows: Cell[][] = [];
  const targets: Target[] = [];
  const medians = [];
  for (const adapter of ADAPTERS) {
    const e2eRatio = roundRatio(runs, adapter, (r) => r.endToEndPerSecond);
    const handOffRatio = roundRatio(runs, adapter, (r) => r.handOffPerSecond);
    const cpuRatio = roundRatio(runs, adapter, (r) => r.cpuMicrosPerPublication);
    let oursComplete = true;
    for (const publisher of ["ours", "raw"] as const) {
      const mine = runs.filter((r) => r.adapter === adapter && r.publisher === publisher);
      const delivered = mine.reduce((sum, r) => sum + r.delivered, 0);
      const expected = mine.reduce((sum, r) => sum + r.expected, 0);
      const outOfOrder = mine.reduce((sum, r) => sum + r.outOfOrder, 0);
      const failures = mine.reduce((sum, r) => sum + r.failures, 0);
      const complete = mine.filter((r) => r.endToEndPerSecond !== null);
      if (publisher === "ours") oursComplete = delivered === expected && outOfOrder === 0 && failures === 0;
      const endToEnd = median(complete.map((r) => r.endToEndPerSecond as number));
      const handOff = median(mine.map((r) => r.handOffPerSecond));
      const cpu = median(mine.map((r) => r.cpuMicrosPerPublication));
      const heapGrowth = median(mine.map((r) => r.heapGrowthBytes)) / MB;
      const rssPeak = Math.max(...mine.map((r) => r.rssPeakBytes)) / MB;
      medians.push({
        adapter,
        publisher,
        endToEndPerSecond: endToEnd,
        handOffPerSecond: handOff,
        delivered,
        expected,
        outOfOrder,
        failures,
      });
      rows.push([
        adapter,
        publisher === "ours" ? "ours (CableReady → createBroadcaster)" : RAW_NAMES[adapter],
        endToEnd,
        handOff,
        `${delivered.toLocaleString("en-US")} / ${expected.toLocaleString("en-US")}${outOfOrder > 0 ? `, ${outOfOrder} out of order` : ""}${failures > 0 ? `, ${failures} failed` : ""}`,
        publisher === "ours" ? e2eRatio.toFixed(2) : "",
        publisher === "ours" ? handOffRatio.toFixed(2) : "",
        cpu,
        publisher === "ours" ? cpuRatio.toFixed(2) : "",
        heapGrowth,
        rssPeak,
      ]);
    }
    targets.push({
      description: `${adapter}: our publications/s to ${sizes.subscribers.toLocaleString("en-US")} subscribers ≥ ${TARGET_RATIO} × the raw publisher's (median of ${sizes.rounds} per-round ratios), every publication delivered`,
      met: ctx.smoke ? null : e2eRatio >= TARGET_RATIO && oursComplete,
      value: `×${e2eRatio.toFixed(2)} (per round: ${runsRatios(runs, adapter)}); hand-off to the broker ×${handOffRatio.toFixed(2)}; publisher CPU per publication ×${cpuRatio.toFixed(2)}${oursComplete ? "; everything delivered" : "; NOT everything delivered"}`,
    });
  }
  const floodRows: Cell[][] = floods.map((f) => [
    f.adapter,
    f.offered,
    f.accepted,
    f.rejectedQueueFull,
    f.rejectedOther,
    `${f.maxPending.toLocaleString("en-US")} / ${f.queueSize.toLocaleString("en-US")}`,
    f.liveHeapBefore / MB,
    f.liveHeapFirstHalf / MB,
    f.liveHeapSecondHalf / MB,
    f.liveHeapAfter / MB,
    f.rssPeakFirstHalf / MB,
    f.rssPeakSecondHalf / MB,
    f.drainMs / 1000,
    `${f.reachedBroker.toLocaleString("en-US")} / ${f.accepted.toLocaleString("en-US")} (${f.countedBy})`,
  ]);
  for (const f of floods) {
    // Bounded: the queue never passed its limit, and the heap of the second half (queue full all
    // along) is no larger than that of the first (the queue filling) plus slack for GC timing.
    const bounded = f.maxPending <= f.queueSize && f.liveHeapSecondHalf <= f.liveHeapFirstHalf * 1.25 + 4 * MB;
    const nothingLost = f.drained && f.rejectedOther === 0 && f.reachedBroker === f.accepted;
    targets.push({
      description: `${f.adapter} overload: the queue stops at its limit and the live heap with it, every accepted publication reaches the broker, every refused one is reported to its caller`,
      met: ctx.smoke ? null : bounded && nothingLost,
      value: `max pending ${f.maxPending}/${f.queueSize}; live heap ${(f.liveHeapBefore / MB).toFixed(1)} → ${(f.liveHeapFirstHalf / MB).toFixed(1)} / ${(f.liveHeapSecondHalf / MB).toFixed(1)} MB (halves) → ${(f.liveHeapAfter / MB).toFixed(1)} MB drained; accepted ${f.accepted}, refused ${f.rejectedQueueFull} (queue full) + ${f.rejectedOther} (other); found past our process ${f.reachedBroker}`,
    });
  }
  return {
    name: "throughput",
    title: "Broadcast throughput",
    tables: [
      {
        title: `Broadcast throughput — bursts of ${sizes.perBurst} publications to ${sizes.subscribers.toLocaleString("en-US")} subscribers of one stream, ${sizes.rounds} interleaved rounds`,
        columns: [
          "adapter",
          "publisher",
          "publications/s end to end",
          "publications/s handed off",
          "delivered / expected",
          "ours÷raw end to end",
          "ours÷raw hand-off",
          "publisher CPU µs/publication",
          "CPU ours÷raw",
          "heap growth MB",
          "peak RSS MB",
        ],
        digits: [undefined, undefined, 0, 0, undefined, undefined, undefined, 0, undefined, 1, 0],
        rows,
        notes: [
          `Publications/s end to end: a burst's size ÷ (first publish → the last subscriber's receipt of the last publication), median over rounds; a burst with any publication missing, duplicated or out of order at any subscriber has no rate and shows in delivered / expected. Handed off: until the broker acknowledged the last (NATS flush, Redis replies, HTTP 201).`,
          `Ratios: ours ÷ raw for the same adapter in the same round, then the median over rounds. Every variant publishes the same bytes (a one-element batch of one Cable Ready append), built the same way.`,
          `The publishing process and anycable-go (embedded NATS, adapters http,redis,redisx,nats; --norpc --public) and redis-server share CPU ${ctx.serverCpu ?? "(unpinned)"}, as an RPC process and anycable-go on one host would; the subscribers' process runs on CPU ${ctx.driverCpu ?? "(unpinned)"}.`,
          `Publisher CPU: user + system CPU of the publishing process from the first call to the hand-off, per publication (building the Cable Ready payload included, for both); the ratio is ours ÷ raw, so above 1 means ours costs more.`,
          `Heap growth: the publishing process's peak heapUsed during a burst minus before it (median over rounds); peak RSS: the highest over the rounds.`,
        ],
      },
      {
        title: `Overload: ${sizes.floodSeconds} s of publications as fast as one process can call broadcast() (bursts, one event-loop turn apart), our broadcaster only`,
        columns: [
          "adapter",
          "offered",
          "accepted",
          "refused: queue full",
          "refused: other",
          "max pending / queue size",
          "live heap before MB",
          "live heap, 1st half MB",
          "live heap, 2nd half MB",
          "live heap drained MB",
          "RSS peak, 1st half MB",
          "RSS peak, 2nd half MB",
          "drain s",
          "past our process / accepted",
        ],
        digits: [undefined, 0, 0, 0, 0, undefined, 1, 1, 1, 1, 0, 0, 2],
        rows: floodRows,
        notes: [
          `Through a broadcaster in the default mode (settles on acceptance) with ANYCABLE_BROADCAST_QUEUE_SIZE=${floods[0]?.queueSize ?? "?"}, to a stream of its own per adapter. Every accepted publication must be found past our process (counted as the last column says); every refused one rejected its caller's promise with BroadcastQueueFullError (the first refusal of each overflow is logged at error level, the rest at debug and summed up in one warning once the queue has room again).`,
          "Live heap: heapUsed right after a forced full GC, sampled every 250 ms (highest per half of the flood), and once the queue had drained: what the process holds, not garbage waiting for a collection.",
          `Error-level log lines of the broadcasters over the whole run: ${errors.queueFull} "queue is full", ${errors.other} other${errors.other > 0 ? ` (last: ${errors.lastOther})` : ""}.`,
        ],
      },
    ],
    data: { sizes, runs, floods, loggedErrors: errors, medians },
    targets,
  };
}

function runsRatios(runs: BurstRun[], adapter: ThroughputAdapter): string {
  const rounds = [...new Set(runs.map((r) => r.round))];
  return rounds
    .map((round) => {
      const ours = runs.find((r) => r.round === round && r.adapter === adapter && r.publisher === "ours")?.endToEndPerSecond;
      const raw = runs.find((r) => r.round === round && r.adapter === adapter && r.publisher === "raw")?.endToEndPerSecond;
      return ours && raw ? (ours / raw).toFixed(2) : "–";
    })
    .join(", ");
}
