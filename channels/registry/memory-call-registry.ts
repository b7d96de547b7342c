import type { CallEvent } from "../feed/call-event.js";
import { DEFAULT_REGISTRY_LIMITS, type CallRegistry, type LiveCall, type RegistryLimits } from "./call-registry.js";

/**
 * The registry for one process (RPC and dashboard started together, or tests). Maps keep
 * insertion order, which is the order both lists are shown in; re-inserting a call's timeline
 * on every event makes the eviction order least-recently-active first.
 */
export class MemoryCallRegistry implements CallRegistry {
  readonly #limits: RegistryLimits;
  readonly #now: () => number;
  readonly #live = new Map<string, number>();
  readonly #timelines = new Map<string, Map<string, CallEvent>>();

  constructor(limits: Partial<RegistryLimits> = {}, now: () => number = Date.now) {
    this.#limits = { ...DEFAULT_REGISTRY_LIMITS, ...limits };
    this.#now = now;
  }

  async callStarted(sid: string, at: number): Promise<boolean> {
    const startedAt = this.#live.get(sid);
    if (startedAt !== undefined && startedAt >= this.#now() - this.#limits.liveCallMaxAgeMs) return false;
    this.#live.delete(sid);
    this.#live.set(sid, at);
    while (this.#live.size > this.#limits.maxLiveCalls) {
      const oldest = this.#live.keys().next().value;
      if (oldest === undefined) break;
      this.#live.delete(oldest);
    }
    return true;
  }

  async callStopped(sid: string): Promise<void> {
    this.#live.delete(sid);
  }

  async recordEvent(sid: string, event: CallEvent): Promise<void> {
    const timeline = this.#timelines.get(sid) ?? new Map<string, CallEvent>();
    this.#timelines.delete(sid);
    this.#timelines.set(sid, timeline);
    // Map.set on an existing key keeps its position: a final transcript stays where its partial was.
    timeline.set(event.key, event);
    while (timeline.size > this.#limits.maxEventsPerCall) {
      const oldest = timeline.keys().next().value;
      if (oldest === undefined) break;
      timeline.delete(oldest);
    }
    while (this.#timelines.size > this.#limits.maxCallsWithEvents) {
      const idlest = this.#timelines.keys().next().value;
      if (idlest === undefined) break;
      this.#timelines.delete(idlest);
    }
  }

  async liveCalls(): Promise<LiveCall[]> {
    const cutoff = this.#now() - this.#limits.liveCallMaxAgeMs;
    for (const [sid, startedAt] of this.#live) if (startedAt < cutoff) this.#live.delete(sid);
    return [...this.#live].map(([sid, startedAt]) => ({ sid, startedAt }));
  }

  async events(sid: string): Promise<CallEvent[]> {
    return [...(this.#timelines.get(sid)?.values() ?? [])];
  }

  async close(): Promise<void> {}
}
