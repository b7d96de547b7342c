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
import { median } from "./lib/stats.js";

const ADAPTERS: Adapter[] = ["nats", "redis", "http"];
/** A burst of noise moves one block's p99, not the verdict. */
const FANOUT_BLOCKS = 6;

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
      blocks: ctx.smoke ? 1 : FANOUT_BLOCKS,
      gapMs: ctx.smoke ? 5 : 10,
      deliveryTimeoutMs: 2_000,
      seed: ctx.seed,
    };
    ctx.progress(`fanout: connecting ${subscribers} subscribers`);
    await client.request({ type: "connect", config }, "connected", 90_000);
    ctx.progress(`fanout: ${messagesPerVariant} messages per variant, ${ADAPTERS.length * 2} variants interleaved`);
    const { results } = await client.request<{ type: string; results: VariantResult[] }>({ type: "run", config }, "results", 600_000);
    const metrics = await readMetrics(anycable);
    return summarise(results, subscribers, messagesPerVariant, config.blocks, ctx, metrics.broadcast_msg_total ?? null);
  } finally {
    await client?.stop(5_000);
    await anycable?.stop();
    await redis?.stop();
  }
}

/** Median over the blocks of ours' p99 ÷ raw's p99 in the same block. */
function blockedRatio(ours: VariantResult, raw: VariantResult): number {
  return median(ours.blockP99Ms.flatMap((p99, i) => (raw.blockP99Ms[i] === undefined ? [] : [p99 / raw.blockP99Ms[i]])));
}

function summarise(
  results: VariantResult[],
  subscribers: number,
  messages: number,
  blocks: number,
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
        r.publisher === "ours" && raw ? blockedRatio(r, raw).toFixed(2) : "",
      ]);
    }
    if (ours && raw) {
      const ratio = blockedRatio(ours, raw);
      const blocks = ours.blockP99Ms.map((p99, i) => (p99 / (raw.blockP99Ms[i] ?? Number.NaN)).toFixed(2)).join(", ");
      targets.push({
        description: `${adapter}: our p99 publish-to-receive within 10% of the raw publisher's (median of ${ours.blockP99Ms.length} blocks)`,
        met: ctx.smoke ? null : ratio <= 1.1 && ours.delivered === ours.expected,
        value: `×${ratio.toFixed(2)} (blocks: ${blocks}; over all pairs ${ours.p99Ms.toFixed(2)} ms vs ${raw.p99Ms.toFixed(2)} ms, ×${(ours.p99Ms / raw.p99Ms).toFixed(2)}), delivered ${ours.delivered}/${ours.expected}`,
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
      "p99 ours÷raw, all pairs",
      `p99 ours÷raw, median of ${blocks} blocks`,
    ],
    digits: [undefined, undefined, 1, 1, 2, 2, 1, 1],
    rows,
    notes: [
      `anycable-go (--norpc --public, adapters http,redis,nats with embedded NATS) and redis-server on CPU ${ctx.serverCpu ?? "(unpinned)"}; subscribers and publishers share one process on CPU ${ctx.driverCpu ?? "(unpinned)"}, so both ends read one monotonic clock.`,
      "p50/p99 over every (message, subscriber) pair; first/last: per message, publish to the first/last subscriber's receipt. One message at a time, the next after the last receipt and a 10 ms gap.",
      `Blocks: the rounds cut into ${blocks} runs of consecutive rounds; each block's p99 ratio compares variants that ran side by side in the same minutes, and the median of those ratios is what the target reads, so one burst of noise cannot decide it.`,
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
