import { defineRedisAdapter } from "./redis-connection.js";

/**
 * `XADD <stream> * payload <json>`: anycable-go's `redisx` broadcaster reads the `payload` field
 * through a consumer group. Unlike Pub/Sub, an entry waits in the stream if no anycable-go is
 * reading at that moment.
 */
export const redisxAdapter = defineRedisAdapter({
  name: "redisx",
  kind: "Redis stream",
  keyIs: "stream",
  send: (redis, stream, payload) => redis.xadd(stream, "*", "payload", payload),
});
