import type { CallEvent } from "../feed/call-event.js";

export interface LiveCall {
  sid: string;
  startedAt: number;
}

/**
 * What a page needs to render on load: the calls whose media stream is open now, and a call's
 * timeline. The live WebSocket feed only carries changes, so without this a page opened mid-call
 * would show nothing until the next event.
 *
 * Writers are the RPC side (stream subscribed / transcripts / stream closed) and the dashboard
 * (placing calls, Twilio status webhooks); readers are the dashboard's pages. Everything is
 * bounded (see RegistryLimits): this is a view of recent activity, not a call archive.
 */
export interface CallRegistry {
  /**
   * Marks the call live. True when it was not live before; false when it already was (the first
   * start time is kept): one media stream per call, so a second one is refused.
   */
  callStarted(sid: string, at: number): Promise<boolean>;
  /** Takes the call off the live list; its timeline stays until evicted. */
  callStopped(sid: string): Promise<void>;
  /** Appends an event, or replaces the one with the same key where it stands. */
  recordEvent(sid: string, event: CallEvent): Promise<void>;
  /** Live calls, oldest first (the order a page that watched them start would show). */
  liveCalls(): Promise<LiveCall[]>;
  /** The call's timeline in first-recorded order; empty for an unknown call. */
  events(sid: string): Promise<CallEvent[]>;
  close(): Promise<void>;
}

export interface RegistryLimits {
  /** Most calls listed as live; the oldest are dropped beyond it. */
  maxLiveCalls: number;
  /**
   * A call still "live" after this long is presumed dead: its Disconnect never arrived (an RPC
   * process crashed mid-call). Twilio calls rarely last hours; the default is 4 hours.
   */
  liveCallMaxAgeMs: number;
  /** Most events kept per call; the oldest go first. */
  maxEventsPerCall: number;
  /** Most calls whose timelines are kept (memory) / how long a timeline lives (Redis, below). */
  maxCallsWithEvents: number;
  /** Redis only: a timeline expires this long after its last event. */
  eventsTtlMs: number;
}

export const DEFAULT_REGISTRY_LIMITS: RegistryLimits = {
  maxLiveCalls: 200,
  liveCallMaxAgeMs: 4 * 60 * 60 * 1000,
  maxEventsPerCall: 500,
  maxCallsWithEvents: 200,
  eventsTtlMs: 24 * 60 * 60 * 1000,
};
