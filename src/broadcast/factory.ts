import type { Logger } from "../logging/logger.js";
import type { BroadcastConfig } from "./config.js";
import { HttpTransport } from "./http.js";
import { NatsTransport } from "./nats.js";
import { QueuedBroadcaster } from "./queued-broadcaster.js";
import { RedisPubSubTransport } from "./redis.js";
import { RedisStreamTransport } from "./redisx.js";
import type { BroadcastTransport } from "./transport.js";

export function createTransport(config: BroadcastConfig, logger: Logger): BroadcastTransport {
  const { reconnect } = config;
  switch (config.adapter) {
    case "nats":
      return new NatsTransport({ servers: config.nats.servers, subject: config.nats.subject, reconnect, logger });
    case "redis":
      return new RedisPubSubTransport({ url: config.redis.url, key: config.redis.channel, reconnect });
    case "redisx":
      return new RedisStreamTransport({ url: config.redis.url, key: config.redis.channel, reconnect });
    case "http":
      return new HttpTransport({ url: config.http.url, key: config.http.key, requestTimeoutMs: config.http.requestTimeoutMs, reconnect });
  }
}

/**
 * The broadcaster for the configured adapter, already connecting in the background: an
 * unreachable broker is logged and retried, never thrown, and publications queue meanwhile.
 */
export function createBroadcaster(
  config: BroadcastConfig,
  logger: Logger,
  options: { settleOn?: "accepted" | "delivered" } = {},
): QueuedBroadcaster {
  const log = logger.child({ component: "broadcast", adapter: config.adapter });
  const transport = createTransport(config, log);
  if (config.adapter === "http") {
    const auth = config.http.key === undefined ? "no authorization" : `authorization key from ${config.http.keySource}`;
    const url = config.http.urlIsDefault ? "default URL; set ANYCABLE_HTTP_BROADCAST_URL to change" : "ANYCABLE_HTTP_BROADCAST_URL";
    log.info({ target: transport.target }, `broadcasting to ${transport.target} (${auth}; ${url})`);
  } else {
    const where =
      config.adapter === "nats"
        ? `subject ${config.nats.subject}`
        : config.adapter === "redis"
          ? `channel ${config.redis.channel}`
          : `stream ${config.redis.channel}`;
    log.info(
      { target: transport.target, maxQueueSize: config.queueSize },
      `broadcasting via ${transport.kind} at ${transport.target} (${where})`,
    );
  }
  return new QueuedBroadcaster({
    transport,
    logger: log,
    queueSize: config.queueSize,
    flushTimeoutMs: config.flushTimeoutMs,
    retry: config.reconnect,
    ...(options.settleOn ? { settleOn: options.settleOn } : {}),
  });
}
