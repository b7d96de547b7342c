import type { Logger } from "../logging/logger.js";
import type { Broadcaster, BroadcastMeta, Publication, RemoteCommand } from "./broadcaster.js";
import { backoffDelay, type BackoffOptions } from "./backoff.js";
import { asError, BroadcastClosedError, BroadcastQueueFullError, BroadcastRejectedError, describeAbout, errorMessage } from "./errors.js";
import { describeSubject, encodeBatch, encodeCommand, encodePublication, type EncodedPayload } from "./payload.js";
import type { BroadcastTransport, DeliveryOutcome } from "./transport.js";

/** Most payloads handed to the transport at once: bounds what one lost connection sends again. */
const MAX_WINDOW = 256;

/** Accepted-mode entries settle nobody's promise: one shared no-op instead of two closures per publication. */
const NOTHING_TO_SETTLE = (): void => {};

/** How a window's wait for the transport ends when close() stops the pump first. */
const STOPPED = Symbol("stopped");

/** A transport whose deliver() rejected, which it must not: its window is retried like any other. */
class RejectedDelivery {
  readonly error: Error;
  constructor(reason: unknown) {
    this.error = asError(reason);
  }
}
const rejectedDelivery = (reason: unknown): RejectedDelivery => new RejectedDelivery(reason);

type WindowEnd = DeliveryOutcome[] | RejectedDelivery | typeof STOPPED;

interface Pending {
  payload: EncodedPayload;
  resolve(): void;
  reject(error: Error): void;
  settled: boolean;
}

export interface QueuedBroadcasterOptions {
  transport: BroadcastTransport;
  /** Used as given: bind context (component, adapter) before passing it. */
  logger: Logger;
  /** Most publications held at once (waiting, or sent and not yet acknowledged). */
  queueSize: number;
  /** close() waits this long for pending publications. */
  flushTimeoutMs: number;
  /** Pause between attempts when the transport is up but a delivery must be retried. */
  retry: BackoffOptions;
  /**
   * When a call's promise settles. "accepted" (default): as soon as the publication is queued,
   * so an RPC call that broadcasts never stalls on a broker outage; later delivery failures are
   * logged at error level. "delivered": when the broker acknowledged it.
   */
  settleOn?: "accepted" | "delivered";
}

/**
 * The Broadcaster every adapter shares. Each call becomes one JSON payload in a bounded FIFO; a
 * single pump hands the head of the queue to the transport and settles each call's promise when
 * the broker acknowledged it. While the broker is unreachable payloads wait (in order) instead of
 * being dropped; when the queue is full a call rejects at once and an error is logged.
 *
 * By default a promise resolves once the publication is accepted into the queue, so application
 * code in an RPC call is never held up by the broker; it rejects at once when the queue is full or
 * the broadcaster is closed. With `settleOn: "delivered"` it resolves on the broker's
 * acknowledgement instead and stays pending through an outage. Every failure is logged here.
 */
export class QueuedBroadcaster implements Broadcaster {
  #queue: Pending[] = [];
  #connected = false;
  #everConnected = false;
  #outageReported = false;
  /** Calls refused since the queue last filled up; 0 while it has room. */
  #refusedWhileFull = 0;
  #pumping = false;
  /** performance.now() when the last window was handed to the transport. */
  #lastWindowAt = Number.NEGATIVE_INFINITY;
  /** Ends the pump's current #waitForWake; set only while it waits. */
  #wakeUp: (() => void) | undefined;
  #wakeTimer: ReturnType<typeof setTimeout> | undefined;
  /** Ends the pump's current #deliver; set only while a window is with the transport. */
  #endWindow: ((end: WindowEnd) => void) | undefined;
  #drainWaiters: Array<() => void> = [];
  #closing: Promise<void> | undefined;
  /**
   * Set once by close() after the flush timeout. A flag and the two slots above rather than an
   * AbortSignal: only the one pump ever waits, and a listener added and removed per window (with
   * its closures) was a visible share of the broadcaster's cost per RPC call.
   */
  #stopped = false;
  readonly #log: Logger;

  readonly #options: QueuedBroadcasterOptions;

  constructor(options: QueuedBroadcasterOptions) {
    this.#options = options;
    this.#log = options.logger;
    options.transport.start({ up: () => this.#onUp(), down: (reason) => this.#onDown(reason) });
  }

  /** Publications not yet acknowledged by the broker (queued or in flight). */
  get pending(): number {
    return this.#queue.length;
  }

  // The encoder and its arguments travel separately so a publication costs no closure: this is
  // the hot path of every broadcast (see docs/performance.md, broadcast throughput).
  broadcast(stream: string, data: string | object, meta?: BroadcastMeta): Promise<void> {
    return this.#enqueue(encodePublication, stream, data, meta);
  }

  broadcastMany(publications: readonly Publication[]): Promise<void> {
    if (publications.length === 0) return Promise.resolve();
    return this.#enqueue(encodeBatch, publications);
  }

  broadcastCommand(command: RemoteCommand): Promise<void> {
    return this.#enqueue(encodeCommand, command);
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  #enqueue<Args extends unknown[]>(encode: (...args: Args) => EncodedPayload, ...args: Args): Promise<void> {
    let payload: EncodedPayload;
    try {
      payload = encode(...args);
    } catch (error) {
      return Promise.reject(asError(error));
    }
    const { kind, target } = this.#options.transport;
    if (this.#closing !== undefined) {
      const error = new BroadcastClosedError(`broadcaster is closed; ${describeAbout(payload.about)} was not sent`, payload.about);
      this.#log.error(describeSubject(payload.about), error.message);
      return Promise.reject(error);
    }
    if (this.#queue.length >= this.#options.queueSize) {
      const why = this.#connected ? `${kind} is not keeping up` : `${kind} at ${target} is unreachable`;
      const error = new BroadcastQueueFullError(
        `broadcast queue is full (${this.#queue.length} pending, max ${this.#options.queueSize}; ${why}); ${describeAbout(payload.about)} was not sent`,
        payload.about,
      );
      // A caller publishing faster than the broker drains would otherwise write one error line
      // per refused call (tens of thousands a second): the first refusal of an episode is the
      // error an operator needs, the rest are counted and summed up when the queue has room again.
      this.#refusedWhileFull += 1;
      this.#log[this.#refusedWhileFull === 1 ? "error" : "debug"](
        { ...describeSubject(payload.about), queueSize: this.#queue.length, maxQueueSize: this.#options.queueSize, target },
        error.message,
      );
      return Promise.reject(error);
    }
    if (this.#refusedWhileFull > 0) {
      this.#log.warn(
        { refused: this.#refusedWhileFull, maxQueueSize: this.#options.queueSize, target },
        `broadcast queue has room again; ${this.#refusedWhileFull} broadcast(s) were refused while it was full`,
      );
      this.#refusedWhileFull = 0;
    }
    if ((this.#options.settleOn ?? "accepted") === "accepted") {
      // Failures after acceptance are logged by refuse() / shutdown(); nobody awaits them.
      this.#queue.push({ payload, resolve: NOTHING_TO_SETTLE, reject: NOTHING_TO_SETTLE, settled: false });
      this.#schedulePump();
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ payload, resolve, reject, settled: false });
      this.#schedulePump();
    });
  }

  #schedulePump(): void {
    if (this.#pumping) return;
    this.#pumping = true;
    // A microtask later, so calls made in the same tick travel in one window.
    queueMicrotask(() => void this.#pump());
  }

  async #pump(): Promise<void> {
    let failures = 0;
    try {
      while (this.#queue.length > 0 && !this.#stopped) {
        const { transport, retry } = this.#options;
        if (!transport.ready) {
          // up() wakes us; the timeout only guards against a transport that never says so.
          await this.#waitForWake(retry.maxDelayMs);
          continue;
        }
        const spacing = transport.windowSpacingMs ?? 0;
        if (spacing > 0) {
          // Busy: let the calls of the next few milliseconds join this window (see transport.ts).
          const early = this.#lastWindowAt + spacing - performance.now();
          if (early > 0) {
            await this.#waitForWake(early);
            continue;
          }
          this.#lastWindowAt = performance.now();
        }
        const window = this.#queue.slice(0, MAX_WINDOW);
        const outcomes = await this.#deliver(window.map((entry) => entry.payload.json));
        let retryReason: Error | undefined;
        window.forEach((entry, i) => {
          const outcome = outcomes[i] ?? { status: "retry", error: new Error("transport reported no outcome") };
          if (outcome.status === "sent") this.#settle(entry);
          else if (outcome.status === "failed") this.#refuse(entry, outcome.error);
          else retryReason ??= outcome.error;
        });
        this.#queue = this.#queue.filter((entry) => !entry.settled);
        this.#notifyIfDrained();
        if (retryReason === undefined) {
          failures = 0;
          continue;
        }
        failures += 1;
        const delay = backoffDelay(failures, retry);
        this.#log.debug({ reason: errorMessage(retryReason), pending: this.#queue.length, retryInMs: delay }, "delivery will be retried");
        await this.#waitForWake(transport.ready ? delay : retry.maxDelayMs);
      }
    } finally {
      this.#pumping = false;
      this.#notifyIfDrained();
    }
  }

  async #deliver(payloads: string[]): Promise<DeliveryOutcome[]> {
    const delivery = this.#options.transport.deliver(payloads).catch(rejectedDelivery);
    // Settled by the transport, or by close() through #endWindow, whichever comes first.
    const end = await new Promise<WindowEnd>((resolve) => {
      this.#endWindow = resolve;
      void delivery.then(resolve);
    });
    this.#endWindow = undefined;
    if (Array.isArray(end)) return end;
    const error = end === STOPPED ? new Error("broadcaster stopped") : end.error;
    return payloads.map(() => ({ status: "retry", error }));
  }

  #waitForWake(timeoutMs: number): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    return new Promise((resolve) => {
      this.#wakeUp = resolve;
      this.#wakeTimer = setTimeout(this.#wake, timeoutMs);
    });
  }

  /** Ends the current #waitForWake early (up(), close()) or on its timer; a no-op when nothing waits. */
  readonly #wake = (): void => {
    const wakeUp = this.#wakeUp;
    if (wakeUp === undefined) return;
    this.#wakeUp = undefined;
    clearTimeout(this.#wakeTimer);
    this.#wakeTimer = undefined;
    wakeUp();
  };

  #settle(entry: Pending, error?: Error): void {
    if (entry.settled) return;
    entry.settled = true;
    if (error === undefined) entry.resolve();
    else entry.reject(error);
  }

  #refuse(entry: Pending, reason: Error): void {
    const { kind, target } = this.#options.transport;
    const error = new BroadcastRejectedError(
      `${kind} at ${target} refused ${describeAbout(entry.payload.about)}: ${errorMessage(reason)}`,
      entry.payload.about,
      {
        cause: reason,
      },
    );
    this.#log.error({ ...describeSubject(entry.payload.about), reason: errorMessage(reason) }, `${error.message}; not retrying`);
    this.#settle(entry, error);
  }

  #notifyIfDrained(): void {
    if (this.#queue.length > 0) return;
    const waiters = this.#drainWaiters;
    this.#drainWaiters = [];
    for (const resolve of waiters) resolve();
  }

  #drainedWithin(ms: number): Promise<boolean> {
    if (this.#queue.length === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      this.#drainWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  #onUp(): void {
    if (this.#connected || this.#stopped) return;
    const { kind, target } = this.#options.transport;
    this.#connected = true;
    const pending = this.#queue.length;
    const verb = this.#everConnected ? "reconnected to" : "connected to";
    const flushing = pending > 0 ? `; flushing ${pending} queued publication(s)` : "";
    this.#log.info({ target, pending }, `${verb} ${kind} at ${target}${flushing}`);
    this.#everConnected = true;
    this.#outageReported = false;
    this.#wake();
  }

  #onDown(reason: Error): void {
    if (this.#stopped) return;
    const { kind, target } = this.#options.transport;
    this.#connected = false;
    if (this.#outageReported) {
      this.#log.debug({ target, reason: errorMessage(reason) }, `${kind} still unreachable`);
      return;
    }
    this.#outageReported = true;
    const what = this.#everConnected ? "lost connection to" : "cannot reach";
    this.#log.warn(
      { target, reason: errorMessage(reason), pending: this.#queue.length, maxQueueSize: this.#options.queueSize },
      `${what} ${kind} at ${target}, will keep retrying; publications are queued (max ${this.#options.queueSize})`,
    );
  }

  async #shutdown(): Promise<void> {
    const { kind, target } = this.#options.transport;
    if (this.#queue.length > 0) {
      this.#log.info(
        { pending: this.#queue.length, timeoutMs: this.#options.flushTimeoutMs },
        `flushing ${this.#queue.length} pending publication(s) before closing`,
      );
    }
    if (!(await this.#drainedWithin(this.#options.flushTimeoutMs))) {
      const left = this.#queue;
      this.#queue = [];
      const streams = [
        ...new Set(
          left.flatMap((e) =>
            e.payload.about.kind === "publication"
              ? [e.payload.about.stream]
              : e.payload.about.kind === "batch"
                ? e.payload.about.streams
                : [],
          ),
        ),
      ];
      const message = `closing with ${left.length} undelivered publication(s): ${kind} at ${target} did not take them within ${this.#options.flushTimeoutMs} ms`;
      this.#log.error({ undelivered: left.length, streams: streams.slice(0, 10), target }, message);
      for (const entry of left)
        this.#settle(
          entry,
          new BroadcastClosedError(`${message}; ${describeAbout(entry.payload.about)} was not sent`, entry.payload.about),
        );
    }
    this.#stopped = true;
    this.#wake();
    this.#endWindow?.(STOPPED);
    try {
      await this.#options.transport.stop();
    } catch (error) {
      this.#log.warn({ reason: errorMessage(error) }, `error while disconnecting from ${kind}`);
    }
  }
}
