import { Redis } from "ioredis";
import type { Logger } from "../../src/index.js";
import { callEventSchema, type CallEvent } from "../feed/call-event.js";
import { DEFAULT_REGISTRY_LIMITS, type CallRegistry, type LiveCall, type RegistryLimits } from "./call-registry.js";

// Upsert-in-place plus trimming in one round trip, atomically: two RPC processes recording the
// same call's events must not interleave between "is this key known?" and "give it a position".
// A new key's position is one past the current last, so a replaced event keeps its place.
const RECORD_EVENT = `
local order, events = KEYS[1], KEYS[2]
local key, json, max, ttl = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4]
if not redis.call('ZSCORE', order, key) then
  local last = redis.call('ZRANGE', order, -1, -1, 'WITHSCORES')
  local position = 1
  if last[2] then position = tonumber(last[2]) + 1 end
  redis.call('ZADD', order, position, key)
end
redis.call('HSET', events, key, json)
local excess = redis.call('ZCARD', order) - max
if excess > 0 then
  local dropped = redis.call('ZRANGE', order, 0, excess - 1)
  redis.call('ZREMRANGEBYRANK', order, 0, excess - 1)
  redis.call('HDEL', events, unpack(dropped))
end
redis.call('PEXPIRE', order, ttl)
redis.call('PEXPIRE', events, ttl)
return 1
`;

export interface RedisCallRegistryOptions {
  url: string;
  logger: Logger;
  /** Namespaces the keys, so several deployments can share one Redis. */
  keyPrefix?: string;
  limits?: Partial<RegistryLimits>;
  /** A registry call waits at most this long; pages then render without it. Default 2 s. */
  commandTimeoutMs?: number;
}

/**
 * The registry shared by separate RPC and dashboard processes. A call's two keys carry the sid
 * as a hash tag so they stay in one slot on a Redis Cluster.
 */
export class RedisCallRegistry implements CallRegistry {
  readonly #redis: Redis;
  readonly #limits: RegistryLimits;
  readonly #prefix: string;
  readonly #logger: Logger;
  #reachable = true;

  constructor(options: RedisCallRegistryOptions) {
    this.#limits = { ...DEFAULT_REGISTRY_LIMITS, ...options.limits };
    this.#prefix = options.keyPrefix ?? "call-monitor:";
    this.#logger = options.logger.child({ component: "call-registry" });
    this.#redis = new Redis(options.url, {
      // Commands issued while Redis is away wait in ioredis's queue, but never longer than this:
      // a page load or an RPC call must not hang on the registry.
      commandTimeout: options.commandTimeoutMs ?? 2_000,
      maxRetriesPerRequest: 1,
      connectionName: "call-monitor registry",
    });
    // ioredis reports every failed reconnect; one line per outage is enough.
    this.#redis.on("error", (error: Error) => {
      if (!this.#reachable) return;
      this.#reachable = false;
      this.#logger.warn({ err: error.message }, "call registry: Redis unreachable, retrying");
    });
    this.#redis.on("ready", () => {
      if (this.#reachable) return;
      this.#reachable = true;
      this.#logger.info("call registry: Redis reachable again");
    });
  }

  async callStarted(sid: string, at: number): Promise<boolean> {
    const live = this.#liveKey();
    const cutoff = Date.now() - this.#limits.liveCallMaxAgeMs;
    // Entries past the age limit are dropped first, so a call whose Disconnect never came does
    // not refuse a new stream forever; ZADD NX then answers atomically who started it.
    const results = await this.#redis
      .multi()
      .zremrangebyscore(live, "-inf", `(${cutoff}`)
      .zadd(live, "NX", at, sid)
      .zremrangebyrank(live, 0, -(this.#limits.maxLiveCalls + 1))
      .exec();
    const added = results?.[1];
    if (!added || added[0]) throw added?.[0] ?? new Error("call registry: no reply to ZADD");
    return added[1] === 1;
  }

  async callStopped(sid: string): Promise<void> {
    await this.#redis.zrem(this.#liveKey(), sid);
  }

  async recordEvent(sid: string, event: CallEvent): Promise<void> {
    const { order, events } = this.#timelineKeys(sid);
    await this.#redis.eval(
      RECORD_EVENT,
      2,
      order,
      events,
      event.key,
      JSON.stringify(event),
      this.#limits.maxEventsPerCall,
      this.#limits.eventsTtlMs,
    );
  }

  async liveCalls(): Promise<LiveCall[]> {
    const live = this.#liveKey();
    const cutoff = Date.now() - this.#limits.liveCallMaxAgeMs;
    const results = await this.#redis.multi().zremrangebyscore(live, "-inf", `(${cutoff}`).zrange(live, 0, -1, "WITHSCORES").exec();
    const flat = (results?.[1]?.[1] ?? []) as string[];
    const calls: LiveCall[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) calls.push({ sid: flat[i] as string, startedAt: Number(flat[i + 1]) });
    return calls;
  }

  async events(sid: string): Promise<CallEvent[]> {
    const { order, events } = this.#timelineKeys(sid);
    const results = await this.#redis.multi().zrange(order, 0, -1).hgetall(events).exec();
    const keys = (results?.[0]?.[1] ?? []) as string[];
    const stored = (results?.[1]?.[1] ?? {}) as Record<string, string>;
    const timeline: CallEvent[] = [];
    for (const key of keys) {
      const parsed = parseEvent(stored[key]);
      if (parsed) timeline.push(parsed);
    }
    return timeline;
  }

  async close(): Promise<void> {
    try {
      await this.#redis.quit();
    } catch {
      this.#redis.disconnect();
    }
  }

  #liveKey(): string {
    return `${this.#prefix}live`;
  }

  #timelineKeys(sid: string): { order: string; events: string } {
    return { order: `${this.#prefix}call:{${sid}}:order`, events: `${this.#prefix}call:{${sid}}:events` };
  }
}

// Whatever else wrote to these keys (an older version, a person with redis-cli) is skipped.
function parseEvent(raw: string | undefined): CallEvent | undefined {
  if (raw === undefined) return undefined;
  try {
    const parsed = callEventSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
