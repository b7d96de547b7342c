import type { CallEvent } from "./call-event.js";

export interface LiveCall {
  sid: string;
  startedAt: number;
  /** The last sign of life: the stream's start, a transcript, or a bridge heartbeat. */
  lastSeenAt: number;
}

/** What recording an event did: its place in the call's sequence of changes, and what the caps pushed out. */
export interface RecordOutcome {
  /**
   * Numbers every change to the call's timeline, 1, 2, 3… (a replacement counts too), so a page
   * that sees n+2 after n knows it missed one and reloads the timeline.
   */
  seq: number;
  dropped: number;
}

/** A call's timeline with the sequence number of its latest change (0: none). */
export interface TimelineSnapshot {
  seq: number;
  events: CallEvent[];
}

/**
 * What a page needs to render on load: the calls whose media stream is open now, and a call's
 * timeline. The live WebSocket feed only carries changes, so without this a page opened mid-call
 * would show nothing until the next event.
 *
 * Writers are the RPC side (stream subscribed / transcripts / heartbeats / stream closed) and the
 * dashboard (placing calls, Twilio status webhooks); readers are the dashboard's pages. Everything
 * is bounded (see RegistryLimits): this is a view of recent activity, not a call archive.
 */
export interface CallRegistry {
  /**
   * Marks the call live with a fresh lease. True when it was not live (or its lease had run out);
   * false, changing nothing, when it already has a live stream: one media stream per call. Beyond
   * maxLiveCalls the oldest calls are dropped (logged); open pages lose them at their next reload
   * of the list.
   */
  callStarted(sid: string, at: number): Promise<boolean>;
  /** Takes the call off the live list; its timeline stays until evicted. True if it was live. */
  callStopped(sid: string): Promise<boolean>;
  /** Refreshes a live call's lease; false (and nothing recorded) when the call is not live. */
  touch(sid: string, at: number): Promise<boolean>;
  /** Live calls whose last sign of life is older than `cutoff`, in no particular order. */
  silentCalls(cutoff: number): Promise<string[]>;
  /**
   * Unlists the call if it is still silent since before `cutoff`, atomically: of several
   * processes sweeping at once, exactly one gets true and announces the end.
   */
  endIfSilent(sid: string, cutoff: number): Promise<boolean>;
  /** Appends an event, or replaces the one with the same key where it stands. */
  recordEvent(sid: string, event: CallEvent): Promise<RecordOutcome>;
  /**
   * Twilio numbers a call's status callbacks (SequenceNumber). True when `sequence` is newer than
   * every one accepted for the call before; a replayed or out-of-date callback gets false.
   */
  claimStatusSequence(sid: string, sequence: number): Promise<boolean>;
  /** Live calls with an unexpired lease, oldest first (the order a page that watched them start would show). */
  liveCalls(): Promise<LiveCall[]>;
  /** The call's timeline in first-recorded order; empty for an unknown call. */
  events(sid: string): Promise<CallEvent[]>;
  /** The timeline and its sequence number, read together. */
  snapshot(sid: string): Promise<TimelineSnapshot>;
  close(): Promise<void>;
}

export interface RegistryLimits {
  /** Most calls listed as live; the oldest are dropped beyond it. */
  maxLiveCalls: number;
  /**
   * A live call with no sign of life (transcript, heartbeat) for this long is presumed over: its
   * stream died without a Disconnect (anycable-go or the bridge was killed). Default 2 minutes.
   */
  leaseMs: number;
  /** Most events kept per call; the oldest go first. */
  maxEventsPerCall: number;
  /** Most bytes (of stored JSON) kept per call's timeline; the oldest events go first. */
  maxBytesPerCall: number;
  /** Most calls whose timelines are kept; the least recently active go first. */
  maxCallsWithEvents: number;
  /** Redis only: a timeline expires this long after its last event. */
  eventsTtlMs: number;
}

export const DEFAULT_REGISTRY_LIMITS: RegistryLimits = {
  maxLiveCalls: 200,
  leaseMs: 2 * 60 * 1000,
  maxEventsPerCall: 500,
  maxBytesPerCall: 64 * 1024,
  maxCallsWithEvents: 200,
  eventsTtlMs: 24 * 60 * 60 * 1000,
};

/** How long a call's last status sequence number is remembered; Twilio's callbacks for a call come within its lifetime. */
export const STATUS_SEQUENCE_TTL_MS = 24 * 60 * 60 * 1000;
