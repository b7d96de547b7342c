import type { Broadcaster, CableReady, Logger } from "anycable-ts";
import type { CallRegistry, RecordOutcome } from "../calls/call-registry.js";
import { callEventHtml } from "../views/call-event-html.js";
import { callListItemHtml, callListItemId } from "../views/call-list-item.js";
import { CALLS_LIST_ID, CALLS_STREAM, TIMELINE_ID, callStream } from "../views/live-regions.js";
import { callStartedEvent, callStoppedEvent, statusEvent, type CallEvent } from "../calls/call-event.js";
import { LogThrottle } from "../limits/log-throttle.js";
import { upsertHtml } from "./upsert-html.js";
import { coalescedCableReady, type CoalescedCableReady } from "./coalesced-cable-ready.js";

const CALLS_CONTAINER = `#${CALLS_LIST_ID}`;
const EVENTS_CONTAINER = `#${TIMELINE_ID}`;

/** One warning per call every 10 s: a call over its cap drops an event with every new one. */
const droppedWarnings = new LogThrottle(10_000);

export interface CallFeedOptions {
  registry: CallRegistry;
  broadcaster: Broadcaster;
  /**
   * Where problems are logged. A function is called only when there is something to log: an RPC
   * call's logger carries the call's context but costs a child logger to build, and most calls
   * log nothing here.
   */
  logger: Logger | (() => Logger);
  now?: () => number;
}

/**
 * Every change to what the dashboard shows goes through here: first into the registry (for pages
 * loaded later), then to the browsers already open, as Cable Ready operations. Recording first
 * means a page loading at the same moment sees the change either in its HTML or live — possibly
 * both, which is why every insert is an upsert by element id.
 *
 * Neither step fails the caller. A registry outage costs page-load history, a broker outage costs
 * live updates; the phone call and its RPC calls carry on, and both problems are logged. The
 * methods settle once the registry has the change; its broadcast leaves with the turn's batch
 * right after (see broadcastsHandedOver).
 */
export class CallFeed {
  readonly #registry: CallRegistry;
  readonly #updates: CoalescedCableReady;
  readonly #loggerSource: Logger | (() => Logger);
  readonly #now: () => number;

  constructor(options: CallFeedOptions) {
    this.#registry = options.registry;
    this.#updates = coalescedCableReady(options.broadcaster);
    this.#loggerSource = options.logger;
    this.#now = options.now ?? Date.now;
  }

  /**
   * The call's media stream opened: list it and note it in its timeline. False, with nothing
   * recorded or sent, when the call already has a live stream. When the registry cannot answer
   * the stream is let through (logged): a registry outage must not stop real calls.
   */
  async callStarted(sid: string): Promise<boolean> {
    const now = this.#now();
    // The registry's steps are awaited inline rather than through a helper taking a closure: a
    // subscribe is the application's most frequent write, and each helper layer cost an async
    // frame, a promise and a closure per call (see docs/performance.md).
    let fresh: boolean | undefined;
    try {
      fresh = await this.#registry.callStarted(sid, now);
    } catch (error) {
      this.#registryFailed(sid, "callStarted", error);
    }
    if (fresh === false) return false;
    const event = callStartedEvent(now);
    const seq = this.#sequenceOf(sid, await this.#tryRecordEvent(sid, event));
    const listItem = callListItemHtml(sid, now);
    const entry = callEventHtml(event);
    this.#send(sid, (cableReady) => {
      upsertHtml(cableReady.stream(CALLS_STREAM), CALLS_CONTAINER, callListItemId(sid), listItem);
      upsertHtml(cableReady.stream(callStream(sid)), EVENTS_CONTAINER, event.key, entry, seq);
    });
    return true;
  }

  /** The call's media stream closed: unlist it and note it in its timeline. */
  callStopped(sid: string): Promise<void> {
    return this.callEnded(sid, callStoppedEvent(this.#now()));
  }

  /** The call is over (its stream closed, or a status webhook said so even if no Disconnect ever comes): unlist it. */
  async callEnded(sid: string, event: CallEvent): Promise<void> {
    // Independent writes, both sent before either is awaited: one round trip with Redis.
    const unlisted = this.#record(sid, "callStopped", () => this.#registry.callStopped(sid));
    await this.#announceEnd(sid, event);
    await unlisted;
  }

  /**
   * A sign of life from the call's stream (a transcript or a bridge heartbeat) renews its lease.
   * A heartbeat for a call that is not listed (swept while its stream was stalled, or a registry
   * that lost its data) lists it again: the stream is evidently open.
   */
  async callAlive(sid: string, relistIfUnknown: boolean): Promise<void> {
    let live: boolean | undefined;
    try {
      live = await this.#registry.touch(sid, this.#now());
    } catch (error) {
      this.#registryFailed(sid, "touch", error);
    }
    if (live === false && relistIfUnknown) {
      this.#logger.info({ callSid: sid }, "heartbeat from a call that was not listed: listing it again");
      await this.callStarted(sid);
    }
  }

  /**
   * Ends every live call with no sign of life since `cutoff` (its stream died without a
   * Disconnect) on every open page. Safe to run from several processes: each call is ended once.
   */
  async endSilentCalls(cutoff: number): Promise<string[]> {
    const silent = (await this.#record("*", "silentCalls", () => this.#registry.silentCalls(cutoff))) ?? [];
    const ended: string[] = [];
    for (const sid of silent) {
      if (!(await this.#record(sid, "endIfSilent", () => this.#registry.endIfSilent(sid, cutoff)))) continue;
      this.#logger.warn(
        { callSid: sid, silentSince: new Date(cutoff).toISOString() },
        "call ended: no sign of life from its stream within the lease",
      );
      await this.#announceEnd(
        sid,
        statusEvent("lost", "The call's stream stopped without saying goodbye; the call is presumed over", this.#now()),
      );
      ended.push(sid);
    }
    return ended;
  }

  get #logger(): Logger {
    const source = this.#loggerSource;
    return typeof source === "function" ? source() : source;
  }

  async #announceEnd(sid: string, event: CallEvent): Promise<void> {
    const seq = this.#sequenceOf(sid, await this.#tryRecordEvent(sid, event));
    const entry = callEventHtml(event);
    this.#send(sid, (cableReady) => {
      cableReady.stream(CALLS_STREAM).remove({ selector: `#${callListItemId(sid)}` });
      upsertHtml(cableReady.stream(callStream(sid)), EVENTS_CONTAINER, event.key, entry, seq);
    });
  }

  /** Adds an event to the call's timeline, replacing the one with the same key in place. */
  async eventHappened(sid: string, event: CallEvent): Promise<void> {
    const seq = this.#sequenceOf(sid, await this.#tryRecordEvent(sid, event));
    const entry = callEventHtml(event);
    this.#send(sid, (cableReady) => upsertHtml(cableReady.stream(callStream(sid)), EVENTS_CONTAINER, event.key, entry, seq));
  }

  /** Records the event; undefined when the registry failed (logged). Not async: one promise, the registry's. */
  #tryRecordEvent(sid: string, event: CallEvent): Promise<RecordOutcome | undefined> | RecordOutcome | undefined {
    try {
      return this.#registry.recordEvent(sid, event).catch((error: unknown) => {
        this.#registryFailed(sid, "recordEvent", error);
        return undefined;
      });
    } catch (error) {
      this.#registryFailed(sid, "recordEvent", error);
      return undefined;
    }
  }

  /** The event's sequence number, unknown when the registry failed; warns (throttled) when the timeline dropped events. */
  #sequenceOf(sid: string, outcome: RecordOutcome | undefined): number | undefined {
    if (outcome && outcome.dropped > 0 && droppedWarnings.shouldLog(sid, this.#now())) {
      this.#logger.warn(
        { callSid: sid, dropped: outcome.dropped },
        "call timeline full (maxEventsPerCall / maxBytesPerCall): its oldest events were dropped; pages loaded later start later",
      );
    }
    return outcome?.seq;
  }

  #registryFailed(sid: string, what: string, error: unknown): void {
    this.#logger.error({ callSid: sid, err: error }, `call registry ${what} failed; pages loaded later will miss this`);
  }

  async #record<T>(sid: string, what: string, write: () => Promise<T>): Promise<T | undefined> {
    try {
      return await write();
    } catch (error) {
      this.#registryFailed(sid, what, error);
      return undefined;
    }
  }

  /**
   * Adds the call's operations to this turn's batch (see CoalescedCableReady) without waiting for
   * the batch to leave: the batch is handed to the broadcaster at the end of this event-loop turn,
   * and a failure, thrown or settled, is logged. Waiting would hold every RPC answer until then,
   * and an answer given from that later phase of the loop rather than from the call's own I/O
   * callback cost grpc-js and node:http2 about 20 µs of CPU per call (docs/performance.md, sixth
   * round), for nothing the caller could act on: a broadcast failure never failed the call.
   */
  #send(sid: string, queue: (cableReady: CableReady) => void): void {
    try {
      this.#updates.send(queue).catch((error: unknown) => this.#broadcastFailed(sid, error));
    } catch (error) {
      this.#broadcastFailed(sid, error);
    }
  }

  /**
   * Settles once every update queued so far was handed to the broadcaster (failures logged, never
   * rejected). For callers that must know the dashboard's update has left, such as tests.
   */
  broadcastsHandedOver(): Promise<void> {
    return this.#updates.handedOver();
  }

  #broadcastFailed(sid: string, error: unknown): void {
    this.#logger.error({ callSid: sid, err: error }, "broadcast to the dashboard failed; open pages miss this update");
  }
}
