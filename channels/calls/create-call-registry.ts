import { redactUrl, type Logger } from "anycable-ts";
import { loadRegistryLimits } from "./registry-config.js";
import type { CallRegistry } from "./call-registry.js";
import { MemoryCallRegistry } from "./memory-call-registry.js";
import { RedisCallRegistry } from "./redis-call-registry.js";

/**
 * Redis when ANYCABLE_REDIS_URL or REDIS_URL is set (the same variables the broadcaster reads), else
 * memory; bounded by the CALL_* limits. Throws ConfigError on a bad limit.
 */
export function createCallRegistry(env: NodeJS.ProcessEnv, logger: Logger): CallRegistry {
  const limits = loadRegistryLimits(env);
  const url = nonBlank(env.ANYCABLE_REDIS_URL) ?? nonBlank(env.REDIS_URL);
  if (url) {
    logger.info({ redis: redactUrl(url) }, "call registry: Redis (shared by every RPC and dashboard process using it)");
    return new RedisCallRegistry({ url, logger, limits });
  }
  logger.info(
    "call registry: in memory — pages list only calls seen by this process; set REDIS_URL to share it between `npm run rpc` and `npm run web`",
  );
  return new MemoryCallRegistry(limits, Date.now, logger);
}

function nonBlank(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}
