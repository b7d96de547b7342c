import { Redis } from "ioredis";
import { backoffDelay, type BackoffOptions } from "./backoff.js";
import { redactUrl } from "./redact.js";
import { SENT, type BroadcastTransport, type DeliveryOutcome, type TransportListener } from "./transport.js";

export interface RedisTransportOptions {
  url: string;
  /** Pub/Sub channel (redis) or stream key (redisx). */
  key: string;
  reconnect: BackoffOptions;
}

/** Error replies that say "not now" rather than "never": the server is loading, failing over, busy. */
const TRANSIENT_REPLY = /^(LOADING|BUSY|TRYAGAIN|MASTERDOWN|CLUSTERDOWN|READONLY)\b/;

function outcomeOf(error: unknown): DeliveryOutcome {
  const err = error instanceof Error ? error : new Error(String(error));
  // ReplyError is the server answering; anything else is the connection (closed, not writable).
  if (err.name === "ReplyError" && !TRANSIENT_REPLY.test(err.message)) return { status: "failed", error: err };
  return { status: "retry", error: err };
}

/**
 * One ioredis connection configured never to give up and never to queue on its own:
 * - retryStrategy always returns a delay (capped exponential), so it reconnects forever;
 * - enableOfflineQueue: false, because QueuedBroadcaster's bounded queue holds what arrives while
 *   disconnected (ioredis's offline queue is unbounded);
 * - maxRetriesPerRequest: null, so commands already written when the connection drops are not
 *   failed after N reconnect attempts but re-sent by ioredis once it is back
 *   (autoResendUnfulfilledCommands), keeping their order.
 */
export abstract class RedisTransport implements BroadcastTransport {
  abstract readonly kind: string;
  readonly target: string;
  private redis: Redis | undefined;
  private stopping = false;
  private lastError: Error | undefined;

  constructor(protected readonly options: RedisTransportOptions) {
    this.target = redactUrl(options.url);
  }

  protected abstract send(redis: Redis, key: string, payload: string): Promise<unknown>;

  get ready(): boolean {
    return this.redis?.status === "ready";
  }

  start(listener: TransportListener): void {
    const redis = new Redis(this.options.url, {
      retryStrategy: (attempt: number) => backoffDelay(attempt, this.options.reconnect),
      maxRetriesPerRequest: null,
      enableOfflineQueue: false,
      autoResendUnfulfilledCommands: true,
      // After a failover the old primary answers READONLY; a fresh connection finds the new one.
      reconnectOnError: (error: Error) => error.message.startsWith("READONLY"),
      connectTimeout: 5_000,
      connectionName: "anycable-ts-broadcaster",
    });
    redis.on("ready", () => listener.up());
    // Without a listener ioredis prints every failed attempt to the console.
    redis.on("error", (error: Error) => {
      this.lastError = error;
    });
    redis.on("close", () => {
      if (this.stopping) return;
      listener.down(this.lastError ?? new Error("connection closed"));
      this.lastError = undefined;
    });
    this.redis = redis;
  }

  async deliver(payloads: readonly string[]): Promise<DeliveryOutcome[]> {
    const redis = this.redis;
    if (redis === undefined || redis.status !== "ready") {
      return payloads.map(() => ({ status: "retry", error: new Error("not connected to Redis") }));
    }
    // Issued together, so ioredis pipelines them on one connection in this order.
    return Promise.all(payloads.map((payload) => this.send(redis, this.options.key, payload).then(() => SENT, outcomeOf)));
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const redis = this.redis;
    this.redis = undefined;
    if (redis === undefined) return;
    if (redis.status === "ready") {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, 2_000);
      });
      await Promise.race([redis.quit().catch(() => undefined), timeout]);
      clearTimeout(timer);
    }
    redis.disconnect();
  }
}
