import { Redis } from "ioredis";
import type { Logger } from "anycable-ts";
import { callEventSchema, type CallEvent } from "./call-event.js";
import { EvictionLog } from "./eviction-log.js";
import {
  DEFAULT_REGISTRY_LIMITS,
  STATUS_SEQUENCE_TTL_MS,
  type CallRegistry,
  type LiveCall,
  type RecordOutcome,
  type RegistryLimits,
  type TimelineSnapshot,
} from "./call-registry.js";

// Upsert-in-place plus trimming in one round trip, atomically: two RPC processes recording the
// same call's events must not interleave between "is this key known?" and "give it a position".
// A new key's position is one past the current last, so a replaced event keeps its place. The
// timeline's stored bytes are kept in a counter beside it, so the byte cap costs no scan.
const RECORD_EVENT = `
local order, events, size, seq = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local key, json, max, maxBytes, ttl = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5]
if not redis.call('ZSCORE', order, key) then
  local last = redis.call('ZRANGE', order, -1, -1, 'WITHSCORES')
  local position = 1
  if last[2] then position = tonumber(last[2]) + 1 end
  redis.call('ZADD', order, position, key)
end
local previous = redis.call('HSTRLEN', events, key)
redis.call('HSET', events, key, json)
local total = redis.call('INCRBY', size, string.len(json) - previous)
local dropped = 0
local count = redis.call('ZCARD', order)
while count > 1 and (count > max or total > maxBytes) do
  local oldest = redis.call('ZRANGE', order, 0, 0)[1]
  total = redis.call('DECRBY', size, redis.call('HSTRLEN', events, oldest))
  redis.call('HDEL', events, oldest)
  redis.call('ZREM', order, oldest)
  count = count - 1
  dropped = dropped + 1
end
redis.call('PEXPIRE', order, ttl)
redis.call('PEXPIRE', events, ttl)
redis.call('PEXPIRE', size, ttl)
local n = redis.call('INCR', seq)
redis.call('PEXPIRE', seq, ttl)
return {n, dropped}
`;

// The live list (scored by start time, for display order) and the lease (scored by the last sign
// of life) change together. A call with an unexpired lease is not started again (one stream per
// call); the evicted calls are returned after the flag so the caller can log them.
const CALL_STARTED = `
local live, seen = KEYS[1], KEYS[2]
local sid, at, max, cutoff = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local lease = redis.call('ZSCORE', seen, sid)
if redis.call('ZSCORE', live, sid) and lease and tonumber(lease) >= cutoff then return {0} end
redis.call('ZADD', live, at, sid)
redis.call('ZADD', seen, at, sid)
local excess = redis.call('ZCARD', live) - max
if excess <= 0 then return {1} end
local evicted = redis.call('ZRANGE', live, 0, excess - 1)
redis.call('ZREM', live, unpack(evicted))
redis.call('ZREM', seen, unpack(evicted))
return {1, unpack(evicted)}
`;

const TOUCH = `
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
local previous = redis.call('ZSCORE', KEYS[2], ARGV[1])
if (not previous) or tonumber(previous) < tonumber(ARGV[2]) then redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1]) end
return 1
`;

const END_IF_SILENT = `
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
local seen = redis.call('ZSCORE', KEYS[2], ARGV[1])
if seen and tonumber(seen) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return 1
`;

// Notes the call's activity and pops the least recently active calls beyond the cap, atomically
// on the index so concurrent writers never evict more than the excess.
const TOUCH_TIMELINE = `
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
local excess = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[3])
if excess <= 0 then return {} end
local evicted = redis.call('ZRANGE', KEYS[1], 0, excess - 1)
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, excess - 1)
return evicted
`;

const CLAIM_SEQUENCE = `
local current = redis.call('GET', KEYS[1])
if current and tonumber(current) >= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`;

type ScriptArgument = string | number;

/**
 * The scripts above as ioredis commands (defineCommand): each runs by EVALSHA, so a call sends
 * the script's SHA1 rather than its whole text (ioredis loads it again if Redis answers NOSCRIPT,
 * after a restart or SCRIPT FLUSH). Replies are untyped Redis values, read where each is used.
 */
interface RegistryScripts {
  recordEvent(...keysThenArgs: ScriptArgument[]): Promise<unknown>;
  callStarted(...keysThenArgs: ScriptArgument[]): Promise<unknown>;
  touchCall(...keysThenArgs: ScriptArgument[]): Promise<unknown>;
  endIfSilent(...keysThenArgs: ScriptArgument[]): Promise<unknown>;
  touchTimeline(...keysThenArgs: ScriptArgument[]): Promise<unknown>;
  claimSequence(...keysThenArgs: ScriptArgument[]): Promise<unknown>;
}

const SCRIPTS: Record<keyof RegistryScripts, { numberOfKeys: number; lua: string }> = {
  recordEvent: { numberOfKeys: 4, lua: RECORD_EVENT },
  callStarted: { numberOfKeys: 2, lua: CALL_STARTED },
  touchCall: { numberOfKeys: 2, lua: TOUCH },
  endIfSilent: { numberOfKeys: 2, lua: END_IF_SILENT },
  touchTimeline: { numberOfKeys: 1, lua: TOUCH_TIMELINE },
  claimSequence: { numberOfKeys: 1, lua: CLAIM_SEQUENCE },
};

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
 * The registry shared by separate RPC and dashboard processes. A call's keys carry the sid as a
 * hash tag so they stay in one slot on a Redis Cluster; the lists share the `{calls}` tag.
 */
export class RedisCallRegistry implements CallRegistry {
  readonly #redis: Redis;
  readonly #scripts: RegistryScripts;
  readonly #limits: RegistryLimits;
  readonly #prefix: string;
  readonly #logger: Logger;
  readonly #evictions: EvictionLog;
  #reachable = true;

  constructor(options: RedisCallRegistryOptions) {
    this.#limits = { ...DEFAULT_REGISTRY_LIMITS, ...options.limits };
    this.#prefix = options.keyPrefix ?? "call-monitor:";
    this.#logger = options.logger.child({ component: "call-registry" });
    this.#evictions = new EvictionLog(this.#logger, this.#limits.maxLiveCalls);
    this.#redis = new Redis(options.url, {
      // Commands issued while Redis is away wait in ioredis's queue, but never longer than this:
      // a page load or an RPC call must not hang on the registry.
      commandTimeout: options.commandTimeoutMs ?? 2_000,
      maxRetriesPerRequest: 1,
      // CLIENT SETNAME refuses a name with spaces, and ioredis drops that error: no name at all.
      connectionName: "call-monitor-registry",
    });
    for (const [name, definition] of Object.entries(SCRIPTS)) this.#redis.defineCommand(name, definition);
    // defineCommand adds the methods at run time; RegistryScripts names exactly those.
    this.#scripts = this.#redis as unknown as RegistryScripts;
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
    const { live, seen } = this.#listKeys();
    const cutoff = Date.now() - this.#limits.leaseMs;
    const [started, ...evicted] = (await this.#scripts.callStarted(live, seen, sid, at, this.#limits.maxLiveCalls, cutoff)) as [
      number,
      ...string[],
    ];
    this.#evictions.record(evicted);
    return started === 1;
  }

  async callStopped(sid: string): Promise<boolean> {
    const { live, seen } = this.#listKeys();
    const results = await this.#redis.multi().zrem(live, sid).zrem(seen, sid).exec();
    return results?.[0]?.[1] === 1;
  }

  async touch(sid: string, at: number): Promise<boolean> {
    const { live, seen } = this.#listKeys();
    return (await this.#scripts.touchCall(live, seen, sid, at)) === 1;
  }

  async silentCalls(cutoff: number): Promise<string[]> {
    const { live, seen } = this.#listKeys();
    const results = await this.#redis.multi().zrangebyscore(seen, "-inf", `(${cutoff}`).zrange(live, 0, -1).zrange(seen, 0, -1).exec();
    const silent = new Set((results?.[0]?.[1] ?? []) as string[]);
    // A live entry without a lease (written by an older version) counts as silent.
    const leased = new Set((results?.[2]?.[1] ?? []) as string[]);
    for (const sid of (results?.[1]?.[1] ?? []) as string[]) if (!leased.has(sid)) silent.add(sid);
    return [...silent];
  }

  async endIfSilent(sid: string, cutoff: number): Promise<boolean> {
    const { live, seen } = this.#listKeys();
    return (await this.#scripts.endIfSilent(live, seen, sid, cutoff)) === 1;
  }

  async recordEvent(sid: string, event: CallEvent): Promise<RecordOutcome> {
    const { order, events, size, seq } = this.#timelineKeys(sid);
    const recorded = this.#scripts.recordEvent(
      order,
      events,
      size,
      seq,
      event.key,
      JSON.stringify(event),
      this.#limits.maxEventsPerCall,
      this.#limits.maxBytesPerCall,
      this.#limits.eventsTtlMs,
    );
    // Sent right behind the record, not after its reply: one round trip for both. Redis runs a
    // connection's commands in order, so the index still learns of the write after it was made.
    const indexed = this.#evictIdleTimelines(sid);
    const [[n, dropped]] = (await Promise.all([recorded, indexed])) as [[number, number], void];
    return { seq: n, dropped };
  }

  async claimStatusSequence(sid: string, sequence: number): Promise<boolean> {
    const key = `${this.#prefix}call:{${sid}}:status-seq`;
    return (await this.#scripts.claimSequence(key, sequence, STATUS_SEQUENCE_TTL_MS)) === 1;
  }

  async liveCalls(): Promise<LiveCall[]> {
    const { live, seen } = this.#listKeys();
    const cutoff = Date.now() - this.#limits.leaseMs;
    const results = await this.#redis.multi().zrange(live, 0, -1, "WITHSCORES").zrangebyscore(seen, cutoff, "+inf", "WITHSCORES").exec();
    const started = (results?.[0]?.[1] ?? []) as string[];
    const leased = new Map<string, number>();
    const flat = (results?.[1]?.[1] ?? []) as string[];
    for (let i = 0; i + 1 < flat.length; i += 2) leased.set(flat[i] as string, Number(flat[i + 1]));
    const calls: LiveCall[] = [];
    for (let i = 0; i + 1 < started.length; i += 2) {
      const sid = started[i] as string;
      const lastSeenAt = leased.get(sid);
      if (lastSeenAt !== undefined) calls.push({ sid, startedAt: Number(started[i + 1]), lastSeenAt });
    }
    return calls;
  }

  /**
   * Keeps at most maxCallsWithEvents timelines, least recently active dropped first. The index is
   * updated atomically; deleting the evicted timelines is a separate step (a call's keys live in
   * its own cluster slot), so a write racing an eviction may leave a timeline that expires by TTL.
   */
  async #evictIdleTimelines(sid: string): Promise<void> {
    const timelines = `${this.#prefix}{calls}:timelines`;
    const evicted = (await this.#scripts.touchTimeline(timelines, sid, Date.now(), this.#limits.maxCallsWithEvents)) as string[];
    if (evicted.length === 0) return;
    for (const idle of evicted) {
      const keys = this.#timelineKeys(idle);
      await this.#redis.del(keys.order, keys.events, keys.size, keys.seq, `${this.#prefix}call:{${idle}}:status-seq`);
    }
    this.#logger.info(
      { evicted: evicted.length, maxCallsWithEvents: this.#limits.maxCallsWithEvents },
      "call registry: dropped the least recently active call timelines",
    );
  }

  async events(sid: string): Promise<CallEvent[]> {
    return (await this.snapshot(sid)).events;
  }

  async snapshot(sid: string): Promise<TimelineSnapshot> {
    const { order, events, seq } = this.#timelineKeys(sid);
    const results = await this.#redis.multi().get(seq).zrange(order, 0, -1).hgetall(events).exec();
    const keys = (results?.[1]?.[1] ?? []) as string[];
    const stored = (results?.[2]?.[1] ?? {}) as Record<string, string>;
    const timeline: CallEvent[] = [];
    for (const key of keys) {
      const parsed = parseEvent(stored[key]);
      if (parsed) timeline.push(parsed);
    }
    return { seq: Number(results?.[0]?.[1] ?? 0) || 0, events: timeline };
  }

  async close(): Promise<void> {
    try {
      await this.#redis.quit();
    } catch {
      this.#redis.disconnect();
    }
  }

  /** Both under one hash tag, so the scripts touching them run on one Redis Cluster slot. */
  #listKeys(): { live: string; seen: string } {
    return { live: `${this.#prefix}{calls}:live`, seen: `${this.#prefix}{calls}:seen` };
  }

  #timelineKeys(sid: string): { order: string; events: string; size: string; seq: string } {
    const base = `${this.#prefix}call:{${sid}}`;
    return { order: `${base}:order`, events: `${base}:events`, size: `${base}:bytes`, seq: `${base}:seq` };
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
