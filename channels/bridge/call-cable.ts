// One phone call's Action Cable connection to anycable-go, as the media-stream bridge drives it:
// Connect with the Twilio headers, subscribe to the call's channel, perform its actions in order,
// close (anycable-go then runs Disconnect). Spoken directly over `ws` rather than through
// @anycable/core: the bridge must never reconnect or resubscribe on its own (a second stream for a
// call is refused by design), must bound what it queues, and must know when its frames are written.
import WebSocket from "ws";
import type { Logger } from "anycable-ts";

export class CallCableError extends Error {
  override name = "CallCableError";
}

export interface CallCableOptions {
  url: string;
  headers: Record<string, string>;
  /** The channel identifier, e.g. {"channel":"twilio","sid":"CA…"}, sent verbatim. */
  identifier: string;
  logger: Logger;
  /** Bound on the WebSocket handshake, the welcome and the subscription confirmation. */
  handshakeTimeoutMs: number;
  /** Most performs waiting to be written; beyond it partial results are dropped first. */
  maxQueued: number;
  /** Called once when the connection ends other than by close(). */
  onLost: (error: CallCableError) => void;
}

interface Queued {
  frame: string;
  /** May be dropped when the queue is full (a partial result, a heartbeat). */
  droppable: boolean;
}

// Frames handed to the socket but not yet written: a slow anycable-go backs up here, not in memory.
const MAX_IN_FLIGHT = 32;

export class CallCable {
  readonly #ws: WebSocket;
  readonly #options: CallCableOptions;
  readonly #queue: Queued[] = [];
  #inFlight = 0;
  #subscribed = false;
  #closing = false;
  #ended = false;
  #dropped = 0;
  #drained: Array<() => void> = [];
  #handshake: { resolve: () => void; reject: (error: CallCableError) => void; stage: "welcome" | "subscription" } | undefined;
  readonly #closed: Promise<void>;

  private constructor(options: CallCableOptions) {
    this.#options = options;
    // A server-side client presents the cable's own origin: anycable-go started with
    // --allowed_origins (as npm start does) refuses an upgrade without Origin.
    const origin = new URL(options.url).origin.replace(/^ws/, "http");
    this.#ws = new WebSocket(options.url, {
      origin,
      headers: options.headers,
      handshakeTimeout: options.handshakeTimeoutMs,
      perMessageDeflate: false,
    });
    this.#closed = new Promise((resolve) => this.#ws.once("close", () => resolve()));
    this.#ws.on("message", (data, isBinary) => {
      if (!isBinary) this.#onMessage(data.toString());
    });
    this.#ws.on("error", (error) => this.#end(new CallCableError(`cable connection failed: ${error.message}`)));
    this.#ws.on("close", (code, reason) => {
      this.#end(new CallCableError(`anycable-go closed the cable connection (${code}${reason.length ? ` ${reason.toString()}` : ""})`));
    });
  }

  /** Connects, waits for the welcome, subscribes and waits for the confirmation. */
  static async open(options: CallCableOptions): Promise<CallCable> {
    const cable = new CallCable(options);
    try {
      await cable.#step("welcome", () => undefined);
      await cable.#step("subscription", () => cable.#ws.send(JSON.stringify({ command: "subscribe", identifier: options.identifier })));
    } catch (error) {
      cable.#closing = true;
      cable.#ws.terminate();
      throw error;
    }
    cable.#subscribed = true;
    cable.#pump();
    return cable;
  }

  /** Results and heartbeats dropped because the queue was full. */
  get dropped(): number {
    return this.#dropped;
  }

  get open(): boolean {
    return !this.#ended && !this.#closing;
  }

  /**
   * Queues `{"action": action, ...data}` for the channel. Never blocks: when anycable-go falls
   * behind and the queue is full, a droppable frame gives way (the newest droppable is refused,
   * or the oldest queued droppable is evicted for a frame that must not be lost).
   */
  perform(action: string, data: Record<string, unknown>, droppable: boolean): boolean {
    if (!this.open) return false;
    const frame = JSON.stringify({
      command: "message",
      identifier: this.#options.identifier,
      data: JSON.stringify({ action, ...data }),
    });
    if (this.#queue.length >= this.#options.maxQueued) {
      if (droppable) return this.#drop(action);
      const victim = this.#queue.findIndex((q) => q.droppable);
      if (victim < 0) return this.#drop(action);
      this.#queue.splice(victim, 1);
      this.#drop("an older partial result");
    }
    this.#queue.push({ frame, droppable });
    this.#pump();
    return true;
  }

  /**
   * Waits (at most `timeoutMs`) until everything queued is written, then closes normally, so
   * anycable-go runs the Disconnect after the last perform it received.
   */
  async close(timeoutMs: number): Promise<void> {
    if (this.#ended) return;
    if (!this.#closing) {
      let timer: NodeJS.Timeout | undefined;
      const drained = new Promise<void>((resolve) => {
        if (this.#queue.length === 0 && this.#inFlight === 0) resolve();
        else this.#drained.push(resolve);
      });
      const timedOut = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), timeoutMs)));
      const outcome = await Promise.race([drained, timedOut]);
      clearTimeout(timer);
      // Unsent: the queue and the frames handed to the socket but not written yet, which a
      // stalled anycable-go leaves there even when the queue is empty.
      if (outcome === "timeout")
        this.#options.logger.warn(
          { unsent: this.#queue.length + this.#inFlight },
          "cable did not take the last results in time; closing anyway",
        );
      this.#closing = true;
      this.#ws.close(1000, "stream ended");
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.#closed, new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
    if (this.#ws.readyState !== WebSocket.CLOSED) this.#ws.terminate();
  }

  #drop(what: string): boolean {
    this.#dropped++;
    if (this.#dropped === 1 || this.#dropped % 100 === 0)
      this.#options.logger.warn({ dropped: this.#dropped, what }, "anycable-go is not keeping up with this call; dropping");
    return false;
  }

  #pump(): void {
    if (!this.#subscribed || this.#ended) return;
    while (this.#inFlight < MAX_IN_FLIGHT && this.#queue.length > 0) {
      const next = this.#queue.shift()!;
      this.#inFlight++;
      this.#ws.send(next.frame, () => {
        this.#inFlight--;
        this.#pump();
      });
    }
    if (this.#queue.length === 0 && this.#inFlight === 0) for (const resolve of this.#drained.splice(0)) resolve();
  }

  #step(stage: "welcome" | "subscription", start: () => void): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new CallCableError(`no ${stage} from anycable-go within ${this.#options.handshakeTimeoutMs} ms`)),
        this.#options.handshakeTimeoutMs,
      );
      this.#handshake = {
        stage,
        resolve: () => (clearTimeout(timer), resolve()),
        reject: (error) => (clearTimeout(timer), reject(error)),
      };
      try {
        start();
      } catch (error) {
        this.#handshake.reject(new CallCableError(`cable connection failed: ${(error as Error).message}`));
      }
    });
  }

  #onMessage(text: string): void {
    let message: { type?: unknown; identifier?: unknown; reason?: unknown };
    try {
      message = JSON.parse(text) as typeof message;
    } catch {
      this.#options.logger.warn("anycable-go sent a frame that is not JSON; ignored");
      return;
    }
    if (typeof message !== "object" || message === null || message.type === "ping") return;
    const handshake = this.#handshake;
    if (message.type === "welcome" && handshake?.stage === "welcome") return handshake.resolve();
    if (message.identifier === this.#options.identifier && handshake?.stage === "subscription") {
      if (message.type === "confirm_subscription") return handshake.resolve();
      if (message.type === "reject_subscription")
        return handshake.reject(
          new CallCableError("the application rejected the call's subscription (another stream for this call is live?)"),
        );
    }
    if (message.type === "disconnect") {
      const reason = typeof message.reason === "string" ? message.reason : "no reason given";
      this.#end(new CallCableError(`anycable-go disconnected the call: ${reason}`));
    }
  }

  #end(error: CallCableError): void {
    if (this.#ended) return;
    this.#ended = true;
    for (const resolve of this.#drained.splice(0)) resolve();
    if (this.#handshake) this.#handshake.reject(error);
    if (!this.#closing && this.#subscribed) this.#options.onLost(error);
  }
}
