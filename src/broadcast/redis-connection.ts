import { Redis } from "ioredis";
import type { z } from "zod";
import { defineBroadcastAdapter } from "./adapter.js";
import { backoffDelay, type BackoffOptions } from "./backoff.js";
import { subjectOrKey, urlWithProtocols } from "./env-schemas.js";
import { asError } from "./errors.js";
import { redactUrl } from "./redact.js";
import { settledWithin } from "../shared/settled-within.js";
import { SENT, type BroadcastTransport, type DeliveryOutcome, type TransportListener } from "./transport.js";

const DEFAULT_REDIS_URL = "redis://localhost:6379";
const redisUrl = urlWithProtocols(["redis:", "rediss:"], DEFAULT_REDIS_URL);

/** The variables the redis and redisx adapters share, as the Ruby gem reads them. */
export const redisEnv = {
  ANYCABLE_REDIS_URL: redisUrl.optional(),
  REDIS_URL: redisUrl.optional(),
  ANYCABLE_REDIS_CHANNEL: subjectOrKey.default("__anycable__"),
};

/** `config.redis`, for both redis and redisx. */
export interface RedisSettings {
  /** `ANYCABLE_REDIS_URL`, else `REDIS_URL`. */
  url: string;
  /**
   * Pub/Sub channel for `redis`, stream key for `redisx` (`ANYCABLE_REDIS_CHANNEL`, as in the Ruby
   * gem). anycable-go 1.5/1.6 reads the redisx stream only from its TOML
   * (`[redis_stream_broadcast] stream`), default `__anycable__`; `--redis_channel` does not change it.
   */
  channel: string;
}

export function redisSettings(env: z.output<z.ZodObject<typeof redisEnv>>): RedisSettings {
  return { url: env.ANYCABLE_REDIS_URL ?? env.REDIS_URL ?? DEFAULT_REDIS_URL, channel: env.ANYCABLE_REDIS_CHANNEL };
}

export interface RedisTransportOptions {
  url: string;
  /** Pub/Sub channel (redis) or stream key (redisx). */
  key: string;
  reconnect: BackoffOptions;
  /** For log lines, e.g. "Redis stream". */
  kind: string;
  /** The one command that hands a payload to anycable-go (PUBLISH, XADD). */
  send(redis: Redis, key: string, payload: string): Promise<unknown>;
}

/** Error replies that say "not now" rather than "never": the server is loading, failing over, busy. */
const TRANSIENT_REPLY = /^(LOADING|BUSY|TRYAGAIN|MASTERDOWN|CLUSTERDOWN|READONLY)\b/;

function outcomeOf(error: unknown): DeliveryOutcome {
  const err = asError(error);
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
export class RedisTransport implements BroadcastTransport {
  readonly kind: string;
  readonly target: string;
  readonly #options: RedisTransportOptions;
  #redis: Redis | undefined;
  #stopping = false;
  #lastError: Error | undefined;

  constructor(options: RedisTransportOptions) {
    this.#options = options;
    this.kind = options.kind;
    this.target = redactUrl(options.url);
  }

  get ready(): boolean {
    return this.#redis?.status === "ready";
  }

  start(listener: TransportListener): void {
    const redis = new Redis(this.#options.url, {
      retryStrategy: (attempt: number) => backoffDelay(attempt, this.#options.reconnect),
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
      this.#lastError = error;
    });
    redis.on("close", () => {
      if (this.#stopping) return;
      listener.down(this.#lastError ?? new Error("connection closed"));
      this.#lastError = undefined;
    });
    this.#redis = redis;
  }

  async deliver(payloads: readonly string[]): Promise<DeliveryOutcome[]> {
    const redis = this.#redis;
    if (redis === undefined || redis.status !== "ready") {
      return payloads.map(() => ({ status: "retry", error: new Error("not connected to Redis") }));
    }
    // Issued together, so ioredis pipelines them on one connection in this order.
    return Promise.all(payloads.map((payload) => this.#options.send(redis, this.#options.key, payload).then(() => SENT, outcomeOf)));
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    const redis = this.#redis;
    this.#redis = undefined;
    if (redis === undefined) return;
    if (redis.status === "ready")
      await settledWithin(
        redis.quit().catch(() => undefined),
        2_000,
      );
    redis.disconnect();
  }
}

export interface RedisAdapterOptions<Name extends string> {
  name: Name;
  kind: string;
  /** What `ANYCABLE_REDIS_CHANNEL` names for this adapter, for the start-up log. */
  keyIs: "channel" | "stream";
  send: RedisTransportOptions["send"];
}

/** redis and redisx differ only in the command: both read `config.redis` from the same variables. */
export function defineRedisAdapter<const Name extends string>({ name, kind, keyIs, send }: RedisAdapterOptions<Name>) {
  return defineBroadcastAdapter({
    name,
    configKey: "redis",
    env: redisEnv,
    settings: redisSettings,
    createTransport: ({ url, channel }, { reconnect }) => new RedisTransport({ kind, url, key: channel, reconnect, send }),
    describe: ({ channel }) => `${keyIs} ${channel}`,
  });
}
