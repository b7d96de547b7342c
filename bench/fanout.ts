// Benchmark 3, broadcast fan-out: one stream, 1,000 subscribers on a real anycable-go, and the
// same timestamped Cable Ready publication sent through our broadcaster (CableReady → QueuedBroadcaster
// → adapter) and through the plainest client call for the same broker (nats.js publish, ioredis
// PUBLISH, fetch POST), variants interleaved message by message. What differs is our broadcaster.
import { startRedis, type RedisServer } from "../test/support/redis.js";
import type { AnycableGo } from "../test/support/anycable-go.js";
import { readMetrics, startBenchAnycable } from "./lib/anycable.js";
import { NodeChild, pin } from "./lib/children.js";
import type { BenchContext } from "./lib/context.js";
import type { Adapter, FanoutConfig, VariantResult } from "./lib/fanout-client.js";
import type { BenchResult, Cell, Table, Target } from "./lib/report.js";

const ADAPTERS: Adapter[] = ["nats", "redis", "http"];

export async function broadcastFanout(ctx: BenchContext): Promise<BenchResult> {
  const subscribers = ctx.smoke ? 20 : 1_000;
  const messagesPerVariant = ctx.smoke ? 3 : 600;
  let redis: RedisServer | undefined;
  let anycable: AnycableGo | undefined;
  let client: NodeChild | undefined;
  try {
    redis = await startRedis();
    await pin(redis.process.pid, ctx.serverCpu);
    anycable = await startBenchAnycable(
      { embedNats: true, broadcastAdapter: "http,redis,nats", args: ["--norpc", "--public", `--redis_url=${redis.url}`] },
      ctx.serverCpu,
    );
    client = await NodeChild.start({
      name: "fanout-client",
      script: "bench/lib/fanout-client.ts",
      config: {},
      cpus: ctx.driverCpu,
      logDir: ctx.workDir,
    });
    const config: FanoutConfig = {
      url: anycable.url,
      subscribers,
      stream: "call_CA00000000000000000000000000000042",
      targets: { nats: anycable.natsUrl as string, redis: redis.url, http: anycable.broadcastUrl as string },
      adapters: ADAPTERS,
      messagesPerVariant,
      gapMs: ctx.smoke ? 5 : 10,
      deliveryTimeoutMs: 2_000,
      seed: ctx.seed,
    };
    ctx.progress(`fanout: connecting ${subscribers} subscribers`);
    await client.request({ type: "connect", config }, "connected", 90_000);
    ctx.progress(`fanout: ${messagesPerVariant} messages per variant, ${ADAPTERS.length * 2} variants interleaved`);
    const { results } = await client.request<{ type: string; results: VariantResult[] }>({ type: "run", config }, "results", 600_000);
    const metrics = await readMetrics(anycable);
    return summarise(results, subscribers, messagesPerVariant, ctx, metrics.broadcast_msg_total ?? null);
  } finally {
    await client?.stop(5_000);
    await anycable?.stop();
    await redis?.stop();
  }
}

function summarise(
  results: VariantResult[],
  subscribers: number,
  messages: number,
  ctx: BenchContext,
  broadcastMessages: number | null,
): BenchResult {
  const rows: Cell[][] = [];
  const targets: Target[] = [];
  for (const adapter of ADAPTERS) {
    const ours = results.find((r) => r.adapter === adapter && r.publisher === "ours");
    const raw = results.find((r) => r.adapter === adapter && r.publisher === "raw");
    for (const r of [ours, raw]) {
      if (!r) continue;
      rows.push([
        adapter,
        r.publisher === "ours"
          ? "ours (CableReady → createBroadcaster)"
          : adapter === "nats"
            ? "raw nats.js publish"
            : adapter === "redis"
              ? "raw ioredis PUBLISH"
              : "raw fetch POST",
        r.p50Ms,
        r.p99Ms,
        r.firstP50Ms,
        r.firstP99Ms,
        r.lastP50Ms,
        r.lastP99Ms,
        `${r.delivered.toLocaleString("en-US")} / ${r.expected.toLocaleString("en-US")}`,
        r.publisher === "ours" && raw ? (r.p99Ms / raw.p99Ms).toFixed(2) : "",
      ]);
    }
    if (ours && raw) {
      const ratio = ours.p99Ms / raw.p99Ms;
      targets.push({
        description: `${adapter}: our p99 publish-to-receive within 10% of the raw publisher's`,
        met: ctx.smoke ? null : ratio <= 1.1 && ours.delivered === ours.expected,
        value: `${ours.p99Ms.toFixed(2)} ms vs ${raw.p99Ms.toFixed(2)} ms (×${ratio.toFixed(2)}), delivered ${ours.delivered}/${ours.expected}`,
      });
    }
  }
  const table: Table = {
    title: `Broadcast fan-out — 1 stream, ${subscribers.toLocaleString("en-US")} subscribers, ${messages} messages per variant, variants interleaved`,
    columns: [
      "adapter",
      "publisher",
      "p50 ms",
      "p99 ms",
      "first p50",
      "first p99",
      "last p50",
      "last p99",
      "delivered / expected",
      "p99 ours÷raw",
    ],
    digits: [undefined, undefined, 1, 1, 2, 2, 1, 1],
    rows,
    notes: [
      `anycable-go (--norpc --public, adapters http,redis,nats with embedded NATS) and redis-server on CPU ${ctx.serverCpu ?? "(unpinned)"}; subscribers and publishers share one process on CPU ${ctx.driverCpu ?? "(unpinned)"}, so both ends read one monotonic clock.`,
      "p50/p99 over every (message, subscriber) pair; first/last: per message, publish to the first/last subscriber's receipt. One message at a time, the next after the last receipt and a 10 ms gap.",
      `anycable-go counted ${broadcastMessages ?? "?"} broadcast messages (warm-ups included).`,
    ],
  };
  return {
    name: "fanout",
    title: "Broadcast fan-out",
    tables: [table],
    data: { subscribers, messagesPerVariant: messages, medians: results },
    targets,
  };
}
