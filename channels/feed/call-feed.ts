import { CableReady, type Broadcaster, type Logger } from "../../src/index.js";
import { CALLS_STREAM, callStream } from "../call-sid.js";
import type { CallRegistry } from "../registry/call-registry.js";
import { callEventHtml } from "../views/call-event.js";
import { callListItemHtml, callListItemId } from "../views/call-list-item.js";
import { callStartedEvent, callStoppedEvent, type CallEvent } from "./call-event.js";
import { upsertHtml } from "./upsert-html.js";

export const CALLS_CONTAINER = "#calls";
export const EVENTS_CONTAINER = "#events";

export interface CallFeedOptions {
  registry: CallRegistry;
  broadcaster: Broadcaster;
  logger: Logger;
  now?: () => number;
}

/**
 * Every change to what the dashboard shows goes through here: first into the registry (for pages
 * loaded later), then to the browsers already open, as Cable Ready operations. Recording first
 * means a page loading at the same moment sees the change either in its HTML or live — possibly
 * both, which is why every insert is an upsert by element id.
 *
 * Neither step fails the caller. A registry outage costs page-load history, a broker outage costs
 * live updates; the phone call and its RPC calls carry on, and both problems are logged.
 */
export class CallFeed {
  readonly #registry: CallRegistry;
  readonly #broadcaster: Broadcaster;
  readonly #logger: Logger;
  readonly #now: () => number;

  constructor(options: CallFeedOptions) {
    this.#registry = options.registry;
    this.#broadcaster = options.broadcaster;
    this.#logger = options.logger;
    this.#now = options.now ?? Date.now;
  }

  /**
   * The call's media stream opened: list it and note it in its timeline. False, with nothing
   * recorded or sent, when the call already has a live stream. When the registry cannot answer,
   * the stream is let through (logged): the bridge credential already binds it to this call, and
   * a registry outage must not stop real calls.
   */
  async callStarted(sid: string): Promise<boolean> {
    const now = this.#now();
    const event = callStartedEvent(now);
    let fresh = true;
    await this.#record(sid, "callStarted", async () => {
      fresh = await this.#registry.callStarted(sid, now);
    });
    if (!fresh) return false;
    await this.#record(sid, "recordEvent", () => this.#registry.recordEvent(sid, event));
    const cableReady = new CableReady(this.#broadcaster);
    upsertHtml(cableReady.stream(CALLS_STREAM), CALLS_CONTAINER, callListItemId(sid), callListItemHtml(sid, now));
    upsertHtml(cableReady.stream(callStream(sid)), EVENTS_CONTAINER, event.key, callEventHtml(event));
    await this.#send(cableReady, sid);
    return true;
  }

  /** The call's media stream closed: unlist it and note it in its timeline. */
  callStopped(sid: string): Promise<void> {
    return this.callEnded(sid, callStoppedEvent(this.#now()));
  }

  /** The call is over (its stream closed, or a status webhook said so even if no Disconnect ever comes): unlist it. */
  async callEnded(sid: string, event: CallEvent): Promise<void> {
    await this.#record(sid, "callStopped", () => this.#registry.callStopped(sid));
    await this.#record(sid, "recordEvent", () => this.#registry.recordEvent(sid, event));
    const cableReady = new CableReady(this.#broadcaster);
    cableReady.stream(CALLS_STREAM).remove({ selector: `#${callListItemId(sid)}` });
    upsertHtml(cableReady.stream(callStream(sid)), EVENTS_CONTAINER, event.key, callEventHtml(event));
    await this.#send(cableReady, sid);
  }

  /** Adds an event to the call's timeline, replacing the one with the same key in place. */
  async eventHappened(sid: string, event: CallEvent): Promise<void> {
    await this.#record(sid, "recordEvent", () => this.#registry.recordEvent(sid, event));
    const cableReady = new CableReady(this.#broadcaster);
    upsertHtml(cableReady.stream(callStream(sid)), EVENTS_CONTAINER, event.key, callEventHtml(event));
    await this.#send(cableReady, sid);
  }

  async #record(sid: string, what: string, write: () => Promise<void>): Promise<void> {
    try {
      await write();
    } catch (error) {
      this.#logger.error({ callSid: sid, err: error }, `call registry ${what} failed; pages loaded later will miss this`);
    }
  }

  async #send(cableReady: CableReady, sid: string): Promise<void> {
    try {
      // The broadcaster settles once the publication is queued, so a broker outage does not stall this.
      await cableReady.broadcast();
    } catch (error) {
      this.#logger.error({ callSid: sid, err: error }, "broadcast to the dashboard failed; open pages miss this update");
    }
  }
}
