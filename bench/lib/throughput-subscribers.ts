// The subscribers of the throughput benchmark: many sockets on one stream, counting every
// publication of the current burst per socket (and that each arrives once, in order), plus one
// counter per broker for the overload phase: what reached NATS and Redis Pub/Sub (counted by a
// subscription of their own) and what anycable-go delivered from HTTP (one socket on that stream).
import { Redis } from "ioredis";
import { connect as connectNats, type NatsConnection } from "nats";
import type WebSocket from "ws";
import { connectSubscribers } from "./ws-subscribers.js";

export interface SubscribersConfig {
  url: string;
  subscribers: number;
  stream: string;
  /** The overload phase's streams, per adapter; only the HTTP one has a WebSocket subscriber. */
  floodStreams: Record<"nats" | "redis" | "http", string>;
  natsUrl: string;
  redisUrl: string;
  /** Subject and channel anycable-go listens on. */
  subject: string;
}

export type FloodCounts = Record<"nats" | "redis" | "http", number> & { closedSockets: number };

export interface BurstReceipt {
  tag: string;
  expectedPerSocket: number;
  delivered: number;
  /** Sockets that got every publication of the burst, once each, in order. */
  completeSockets: number;
  /** Receipts whose sequence number was not the next expected one (a gap, a duplicate, reordering). */
  outOfOrder: number;
  /** Sockets closed since connecting (anycable-go drops a client whose send buffer overflows). */
  closedSockets: number;
  /** CLOCK_MONOTONIC of the first receipt and of the receipt that completed the last socket. */
  firstNs: string | null;
  lastNs: string | null;
  complete: boolean;
}

let sockets: WebSocket[] = [];
let closedSockets = 0;
const floodCounts: FloodCounts = { nats: 0, redis: 0, http: 0, closedSockets: 0 };
let floodSocket: WebSocket | undefined;
let nats: NatsConnection | undefined;
let redis: Redis | undefined;

/** The burst being counted. */
let mark: Buffer = Buffer.from("\0");
let tag = "";
let expected = 0;
let counts = new Int32Array(0);
let completeSockets = 0;
let outOfOrder = 0;
let delivered = 0;
let firstNs: bigint | null = null;
let lastNs: bigint | null = null;
let onComplete: (() => void) | undefined;

const BACKSLASH = 0x5c;

function onFrame(index: number, data: Buffer): void {
  const at = data.indexOf(mark);
  if (at < 0) return;
  const now = process.hrtime.bigint();
  firstNs ??= now;
  // The id is `${tag}-${seq}` inside an attribute of JSON-escaped HTML: digits up to the backslash.
  let seq = 0;
  for (let i = at + mark.length; i < data.length && data[i] !== BACKSLASH; i++) seq = seq * 10 + ((data[i] as number) - 48);
  delivered++;
  const count = counts[index] as number;
  if (seq !== count) outOfOrder++;
  counts[index] = count + 1;
  if (count + 1 === expected) {
    completeSockets++;
    if (completeSockets === sockets.length) {
      lastNs = now;
      onComplete?.();
    }
  }
}

function expect(nextTag: string, perSocket: number): void {
  tag = nextTag;
  // As it appears in the frame: data-bench=\"<tag>-<seq>\" (the HTML sits in a JSON string).
  mark = Buffer.from(`data-bench=\\"${nextTag}-`);
  expected = perSocket;
  counts = new Int32Array(sockets.length);
  completeSockets = 0;
  outOfOrder = 0;
  delivered = 0;
  firstNs = null;
  lastNs = null;
  onComplete = undefined;
}

/** Waits until every socket completed the burst, or `graceMs` passed. */
async function collect(graceMs: number): Promise<BurstReceipt> {
  if (completeSockets < sockets.length) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, graceMs);
      onComplete = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
  onComplete = undefined;
  return {
    tag,
    expectedPerSocket: expected,
    delivered,
    completeSockets,
    outOfOrder,
    closedSockets,
    firstNs: firstNs?.toString() ?? null,
    lastNs: lastNs?.toString() ?? null,
    complete: completeSockets === sockets.length && outOfOrder === 0,
  };
}

async function connect(config: SubscribersConfig): Promise<void> {
  sockets = await connectSubscribers(config, onFrame);
  for (const ws of sockets) ws.once("close", () => closedSockets++);
  const httpMark = Buffer.from(config.floodStreams.http);
  [floodSocket] = await connectSubscribers({ ...config, subscribers: 1, stream: config.floodStreams.http }, (_index, data) => {
    if (data.includes(httpMark)) floodCounts.http++;
  });
  floodSocket?.once("close", () => floodCounts.closedSockets++);
  // Our NATS transport merges a window's publications into one batch message (src/broadcast/nats.ts):
  // count the publications a message carries, not the message.
  const natsMark = Buffer.from(`"stream":${JSON.stringify(config.floodStreams.nats)}`);
  nats = await connectNats({ servers: config.natsUrl });
  nats.subscribe(config.subject, {
    callback: (_error, msg) => {
      const data = Buffer.from(msg.data.buffer, msg.data.byteOffset, msg.data.byteLength);
      for (let at = data.indexOf(natsMark); at !== -1; at = data.indexOf(natsMark, at + natsMark.length)) floodCounts.nats++;
    },
  });
  await nats.flush();
  const redisMark = Buffer.from(config.floodStreams.redis);
  redis = new Redis(config.redisUrl, { lazyConnect: true });
  await redis.connect();
  redis.on("messageBuffer", (_channel: Buffer, message: Buffer) => {
    if (message.includes(redisMark)) floodCounts.redis++;
  });
  await redis.subscribe(config.subject);
}

process.on("message", (message: { type?: string; config?: SubscribersConfig; tag?: string; perSocket?: number; graceMs?: number }) => {
  const reply = (value: Record<string, unknown>): void => {
    process.send?.(value);
  };
  const fail = (error: unknown): void =>
    reply({ type: "error", message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  if (message.type === "connect" && message.config) {
    connect(message.config).then(() => reply({ type: "connected", subscribers: sockets.length }), fail);
  } else if (message.type === "expect" && message.tag && message.perSocket) {
    expect(message.tag, message.perSocket);
    reply({ type: "expecting" });
  } else if (message.type === "collect" && message.graceMs) {
    collect(message.graceMs).then((receipt) => reply({ type: "collected", receipt }), fail);
  } else if (message.type === "flood-count") {
    reply({ type: "flood-counted", counts: floodCounts });
  } else if (message.type === "stop") {
    for (const ws of [...sockets, ...(floodSocket ? [floodSocket] : [])]) ws.terminate();
    process.exit(0);
  }
});
process.on("disconnect", () => process.exit(0));
process.send?.({ type: "ready" });
