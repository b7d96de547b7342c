import type { Redis } from "ioredis";
import { RedisTransport } from "./redis-connection.js";

/** `PUBLISH <channel> <json>`: anycable-go's `redis` (Pub/Sub) broadcaster. */
export class RedisPubSubTransport extends RedisTransport {
  readonly kind = "Redis";

  protected send(redis: Redis, channel: string, payload: string): Promise<unknown> {
    return redis.publish(channel, payload);
  }
}
