// The fan-out process: holds every subscriber socket and every publisher, so publish and receive
// times come from one monotonic clock. Messages go one at a time — the next is published only
// after every subscriber got the last one (or it timed out) — so each latency is the path's, not
// a queue behind earlier messages. Variants take turns in a fresh shuffled order every round.
import { Redis } from "ioredis";
import { connect as connectNats, type NatsConnection } from "nats";
import type WebSocket from "ws";
import {
  CableReady,
  createBroadcaster,
  html,
  loadBroadcastConfig,
  operations,
  silentLogger,
  type Broadcaster,
  type OperationBuilder,
} from "anycable-ts";
import { percentile, seededRandom, shuffled, sleep, sortNumbers } from "./stats.js";
import { connectSubscribers } from "./ws-subscribers.js";

export type Adapter = "nats" | "redis" | "http";

export interface FanoutConfig {
  url: string;
  subscribers: number;
  stream: string;
  targets: { nats: string; redis: string; http: string };
  adapters: Adapter[];
  messagesPerVariant: number;
  /** Rounds are cut into this many blocks of consecutive rounds, each with its own p99. */
  blocks: number;
  gapMs: number;
  deliveryTimeoutMs: number;
  seed: number;
}

export interface VariantResult {
  variant: string;
  adapter: Adapter;
  publisher: "ours" | "raw";
  messages: number;
  delivered: number;
  expected: number;
  /** Over every (message, subscriber) pair. */
  p50Ms: number;
  p99Ms: number;
  /** Publish to the first subscriber's receipt, per message: the path without the fan-out spread. */
  firstP50Ms: number;
  firstP99Ms: number;
  /** Publish to the last subscriber's receipt, per message. */
  lastP50Ms: number;
  lastP99Ms: number;
  /** p99 over the pairs of each block of consecutive rounds (every variant ran the same rounds). */
  blockP99Ms: number[];
}

const SUBJECT = "__anycable__";
const MARK = 'data-bench=\\"';

interface Variant {
  name: string;
  adapter: Adapter;
  publisher: "ours" | "raw";
  publish(id: string, sentAt: bigint): Promise<void>;
  close(): Promise<void>;
}

/** The Cable Ready operations of one transcript line, as the call monitor would send them. */
function transcriptOperations(queue: OperationBuilder, id: string, sentAt: bigint): void {
  queue.append({
    selector: "#events",
    html: html`<div id="event_${id}" class="event transcript final" data-bench="${id}" data-sent="${sentAt.toString()}"><time datetime="2026-01-01T00:00:00.000Z" data-local-time>00:00:00 UTC</time><p>Hi, I am calling about my order from last Tuesday, it has not arrived yet.</p></div>`,
  });
}

async function variants(config: FanoutConfig): Promise<Variant[]> {
  const result: Variant[] = [];
  const logger = silentLogger();
  for (const adapter of config.adapters) {
    const env =
      adapter === "nats"
        ? { ANYCABLE_BROADCAST_ADAPTER: "nats", ANYCABLE_NATS_SERVERS: config.targets.nats }
        : adapter === "redis"
          ? { ANYCABLE_BROADCAST_ADAPTER: "redis", ANYCABLE_REDIS_URL: config.targets.redis }
          : { ANYCABLE_BROADCAST_ADAPTER: "http", ANYCABLE_HTTP_BROADCAST_URL: config.targets.http, ANYCABLE_BROADCAST_KEY: "none" };
    // The defaults an application gets: settle on acceptance, the queue delivers in the background.
    const broadcaster: Broadcaster = createBroadcaster(loadBroadcastConfig(env), logger);
    result.push({
      name: `ours-${adapter}`,
      adapter,
      publisher: "ours",
      async publish(id, sentAt) {
        const cableReady = new CableReady(broadcaster);
        transcriptOperations(cableReady.stream(config.stream), id, sentAt);
        await cableReady.broadcast();
      },
      close: () => broadcaster.close(),
    });
    result.push(await rawVariant(adapter, config));
  }
  return result;
}

/** The same bytes our broadcaster sends (a one-element batch), through the plainest client call. */
async function rawVariant(adapter: Adapter, config: FanoutConfig): Promise<Variant> {
  const payload = (id: string, sentAt: bigint): string => {
    const ops = operations();
    transcriptOperations(ops, id, sentAt);
    return JSON.stringify([{ stream: config.stream, data: ops.serialize() }]);
  };
  if (adapter === "nats") {
    const nc: NatsConnection = await connectNats({ servers: config.targets.nats });
    return {
      name: "raw-nats",
      adapter,
      publisher: "raw",
      publish: async (id, sentAt) => nc.publish(SUBJECT, payload(id, sentAt)),
      close: () => nc.drain(),
    };
  }
  if (adapter === "redis") {
    const redis = new Redis(config.targets.redis, { lazyConnect: true });
    await redis.connect();
    return {
      name: "raw-redis",
      adapter,
      publisher: "raw",
      publish: async (id, sentAt) => {
        await redis.publish(SUBJECT, payload(id, sentAt));
      },
      close: async () => {
        await redis.quit();
      },
    };
  }
  return {
    name: "raw-http",
    adapter,
    publisher: "raw",
    publish: async (id, sentAt) => {
      const response = await fetch(config.targets.http, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: payload(id, sentAt),
      });
      await response.body?.cancel();
      if (!response.ok) throw new Error(`HTTP broadcast answered ${response.status}`);
    },
    close: async () => {},
  };
}

interface Pending {
  sentAt: bigint;
  receipts: number[];
  done: () => void;
}

const pending = new Map<string, Pending>();
const sockets: WebSocket[] = [];

function onFrame(data: Buffer): void {
  const receivedAt = process.hrtime.bigint();
  const text = data.toString();
  const at = text.indexOf(MARK);
  if (at < 0) return;
  const end = text.indexOf("\\", at + MARK.length);
  const entry = pending.get(text.slice(at + MARK.length, end));
  if (!entry) return;
  entry.receipts.push(Number(receivedAt - entry.sentAt) / 1e6);
  if (entry.receipts.length === sockets.length) entry.done();
}

async function connectAll(config: FanoutConfig): Promise<void> {
  sockets.push(...(await connectSubscribers(config, (_index, data) => onFrame(data))));
}

async function run(config: FanoutConfig): Promise<VariantResult[]> {
  const all = await variants(config);
  try {
    const samples = new Map(
      all.map((v) => [
        v.name,
        {
          all: [] as number[],
          blocks: Array.from({ length: config.blocks }, () => [] as number[]),
          first: [] as number[],
          last: [] as number[],
          delivered: 0,
          messages: 0,
        },
      ]),
    );
    const roundsPerBlock = Math.ceil(config.messagesPerVariant / config.blocks);
    const random = seededRandom(config.seed);
    // Unmeasured warm-up of every path: JIT, broker connections, anycable-go's first fan-out.
    for (const v of all) await publishOne(v, `warm-${v.name}`, config);
    for (let round = 0; round < config.messagesPerVariant; round++) {
      for (const v of shuffled(all, random)) {
        const receipts = await publishOne(v, `${v.name}-${round}`, config);
        const s = samples.get(v.name) as NonNullable<ReturnType<typeof samples.get>>;
        s.messages++;
        s.delivered += receipts.length;
        s.all.push(...receipts);
        s.blocks[Math.floor(round / roundsPerBlock)]?.push(...receipts);
        if (receipts.length > 0) {
          s.first.push(Math.min(...receipts));
          s.last.push(Math.max(...receipts));
        }
        await sleep(config.gapMs);
      }
    }
    return all.map((v) => {
      const s = samples.get(v.name) as NonNullable<ReturnType<typeof samples.get>>;
      const sortedAll = sortNumbers(s.all);
      const first = sortNumbers(s.first);
      const last = sortNumbers(s.last);
      return {
        variant: v.name,
        adapter: v.adapter,
        publisher: v.publisher,
        messages: s.messages,
        delivered: s.delivered,
        expected: s.messages * config.subscribers,
        p50Ms: percentile(sortedAll, 50),
        p99Ms: percentile(sortedAll, 99),
        firstP50Ms: percentile(first, 50),
        firstP99Ms: percentile(first, 99),
        lastP50Ms: percentile(last, 50),
        lastP99Ms: percentile(last, 99),
        blockP99Ms: s.blocks.filter((block) => block.length > 0).map((block) => percentile(sortNumbers(block), 99)),
      };
    });
  } finally {
    await Promise.all(all.map((v) => v.close().catch(() => {})));
  }
}

async function publishOne(variant: Variant, id: string, config: FanoutConfig): Promise<number[]> {
  const receipts: number[] = [];
  let done = (): void => {};
  const delivered = new Promise<void>((resolve) => (done = resolve));
  const sentAt = process.hrtime.bigint();
  pending.set(id, { sentAt, receipts, done });
  const published = variant.publish(id, sentAt);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, config.deliveryTimeoutMs)));
  try {
    await Promise.all([published, Promise.race([delivered, timeout])]);
  } finally {
    clearTimeout(timer);
    pending.delete(id);
  }
  return receipts;
}

process.on("message", (message: { type?: string; config?: FanoutConfig }) => {
  const reply = (value: Record<string, unknown>): void => {
    process.send?.(value);
  };
  if (message.type === "connect" && message.config) {
    connectAll(message.config).then(
      () => reply({ type: "connected", subscribers: sockets.length }),
      (error: unknown) => reply({ type: "error", message: String(error) }),
    );
  } else if (message.type === "run" && message.config) {
    run(message.config).then(
      (results) => reply({ type: "results", results }),
      (error: unknown) => reply({ type: "error", message: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
    );
  } else if (message.type === "stop") {
    for (const ws of sockets) ws.terminate();
    process.exit(0);
  }
});
process.on("disconnect", () => process.exit(0));
process.send?.({ type: "ready" });
