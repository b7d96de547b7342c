import type { Redis } from "ioredis";
import { RedisTransport } from "./redis-connection.js";

/**
 * `XADD <stream> * payload <json>`: anycable-go's `redisx` broadcaster reads the `payload` field
 * through a consumer group. Unlike Pub/Sub, an entry waits in the stream if no anycable-go is
 * reading at that moment.
 */
export class RedisStreamTransport extends RedisTransport {
  readonly kind = "Redis stream";

  protected send(redis: Redis, stream: string, payload: string): Promise<unknown> {
    return redis.xadd(stream, "*", "payload", payload);
  }
}
