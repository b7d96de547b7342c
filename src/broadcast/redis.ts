import { defineRedisAdapter } from "./redis-connection.js";

/** `PUBLISH <channel> <json>`: anycable-go's `redis` (Pub/Sub) broadcaster. */
export const redisAdapter = defineRedisAdapter({
  name: "redis",
  kind: "Redis",
  keyIs: "channel",
  send: (redis, channel, payload) => redis.publish(channel, payload),
});
