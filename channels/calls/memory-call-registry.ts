import type { Logger } from "anycable-ts";
import type { CallEvent } from "./call-event.js";
import { EvictionLog } from "./eviction-log.js";
import { eventJsonBytes } from "./event-bytes.js";
import { RecencyMap } from "../limits/recency-map.js";
import {
  DEFAULT_REGISTRY_LIMITS,
  type CallRegistry,
  type LiveCall,
  type RecordOutcome,
  type RegistryLimits,
  type TimelineSnapshot,
} from "./call-registry.js";

interface Timeline {
  events: Map<string, { event: CallEvent; bytes: number }>;
  bytes: number;
  seq: number;
}

// Status sequence numbers are a few bytes each; this many covers far more calls than the timelines.
export const MAX_TRACKED_SEQUENCES = 10_000;

/**
 * The registry for one process (RPC and dashboard started together, or tests). Maps keep
 * insertion order, which is the order both lists are shown in; re-inserting a call's timeline
 * on every event makes the eviction order least-recently-active first.
 */
export class MemoryCallRegistry implements CallRegistry {
  readonly #limits: RegistryLimits;
  readonly #now: () => number;
  readonly #evictions: EvictionLog;
  readonly #live = new Map<string, { startedAt: number; lastSeenAt: number }>();
  /** Most recently active last: a bound drops the idlest call's timeline. */
  readonly #timelines = new RecencyMap<Timeline>(() => ({ events: new Map(), bytes: 0, seq: 0 }));
  /** The last status sequence claimed per call, most recently claimed last (a refused claim is no use). */
  readonly #sequences = new RecencyMap<{ sequence: number }>(() => ({ sequence: -1 }));

  constructor(limits: Partial<RegistryLimits> = {}, now: () => number = Date.now, logger?: Logger) {
    this.#limits = { ...DEFAULT_REGISTRY_LIMITS, ...limits };
    this.#now = now;
    this.#evictions = new EvictionLog(logger, this.#limits.maxLiveCalls, now);
  }

  async callStarted(sid: string, at: number): Promise<boolean> {
    const known = this.#live.get(sid);
    if (known && known.lastSeenAt >= this.#now() - this.#limits.leaseMs) return false;
    this.#live.delete(sid);
    this.#live.set(sid, { startedAt: at, lastSeenAt: at });
    const evicted: string[] = [];
    while (this.#live.size > this.#limits.maxLiveCalls) {
      const oldest = this.#live.keys().next().value;
      if (oldest === undefined) break;
      this.#live.delete(oldest);
      evicted.push(oldest);
    }
    this.#evictions.record(evicted);
    return true;
  }

  async callStopped(sid: string): Promise<boolean> {
    return this.#live.delete(sid);
  }

  async touch(sid: string, at: number): Promise<boolean> {
    const call = this.#live.get(sid);
    if (!call) return false;
    call.lastSeenAt = Math.max(call.lastSeenAt, at);
    return true;
  }

  async silentCalls(cutoff: number): Promise<string[]> {
    return [...this.#live].filter(([, call]) => call.lastSeenAt < cutoff).map(([sid]) => sid);
  }

  async endIfSilent(sid: string, cutoff: number): Promise<boolean> {
    const call = this.#live.get(sid);
    if (!call || call.lastSeenAt >= cutoff) return false;
    return this.#live.delete(sid);
  }

  async recordEvent(sid: string, event: CallEvent): Promise<RecordOutcome> {
    const timeline = this.#timelines.use(sid);
    timeline.seq++;
    const bytes = eventJsonBytes(event);
    // Map.set on an existing key keeps its position: a final transcript stays where its partial was.
    timeline.bytes += bytes - (timeline.events.get(event.key)?.bytes ?? 0);
    timeline.events.set(event.key, { event, bytes });
    let dropped = 0;
    while (
      timeline.events.size > 1 &&
      (timeline.events.size > this.#limits.maxEventsPerCall || timeline.bytes > this.#limits.maxBytesPerCall)
    ) {
      const [oldest, entry] = timeline.events.entries().next().value ?? [];
      if (oldest === undefined || entry === undefined) break;
      timeline.events.delete(oldest);
      timeline.bytes -= entry.bytes;
      dropped++;
    }
    this.#timelines.trimTo(this.#limits.maxCallsWithEvents);
    return { seq: timeline.seq, dropped };
  }

  async claimStatusSequence(sid: string, sequence: number): Promise<boolean> {
    const last = this.#sequences.peek(sid);
    if (last !== undefined && sequence <= last.sequence) return false;
    this.#sequences.use(sid).sequence = sequence;
    this.#sequences.trimTo(MAX_TRACKED_SEQUENCES);
    return true;
  }

  async liveCalls(): Promise<LiveCall[]> {
    const cutoff = this.#now() - this.#limits.leaseMs;
    return [...this.#live].filter(([, call]) => call.lastSeenAt >= cutoff).map(([sid, call]) => ({ sid, ...call }));
  }

  async events(sid: string): Promise<CallEvent[]> {
    return [...(this.#timelines.peek(sid)?.events.values() ?? [])].map((entry) => entry.event);
  }

  async snapshot(sid: string): Promise<TimelineSnapshot> {
    return { seq: this.#timelines.peek(sid)?.seq ?? 0, events: await this.events(sid) };
  }

  async close(): Promise<void> {}
}
