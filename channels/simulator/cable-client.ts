// A deliberately small Action Cable client over `ws`. @anycable/core could set the header too
// (its websocketOptions reach the ws constructor), but it reconnects, resubscribes and builds
// the identifier and the perform payload itself; a simulator must send exact bytes once and
// report a refusal instead of retrying it, so the protocol is spoken directly here.
import WebSocket from "ws";
import type { Logger } from "pino";

export type CableFailure = "refused" | "unauthorized" | "rejected" | "closed" | "timeout" | "protocol" | "aborted";

export class CableError extends Error {
  override name = "CableError";
  constructor(
    readonly kind: CableFailure,
    message: string,
  ) {
    super(message);
  }
}

export interface CableClientOptions {
  url: string;
  headers: Record<string, string>;
  logger: Logger;
  /** Bound on opening the socket and on each handshake step. */
  timeoutMs: number;
  signal?: AbortSignal | undefined;
}

type Incoming = { type?: unknown; identifier?: unknown; message?: unknown; reason?: unknown; reconnect?: unknown };

interface Waiter {
  accept(message: Incoming): boolean;
  fail(error: CableError): void;
}

function describeSocketError(url: string, error: Error & { code?: string }): CableError {
  if (error.code === "ECONNREFUSED") return new CableError("refused", `connection refused by ${url}: is anycable-go running there?`);
  if (error.code === "ENOTFOUND" || error.code === "EAI_AGAIN") return new CableError("refused", `cannot resolve the host of ${url}`);
  const status = /Unexpected server response: (\d+)/.exec(error.message);
  if (status)
    return new CableError(
      "protocol",
      `${url} answered HTTP ${status[1]} instead of a WebSocket upgrade: is this anycable-go's /cable path?`,
    );
  return new CableError("closed", `WebSocket error on ${url}: ${error.message}`);
}

export class CableClient {
  readonly #ws: WebSocket;
  readonly #logger: Logger;
  readonly #timeoutMs: number;
  readonly #waiters = new Set<Waiter>();
  readonly #lost = new AbortController();
  #failure: CableError | undefined;
  #hangingUp = false;
  #closed: Promise<{ code: number; reason: string }>;

  private constructor(ws: WebSocket, options: CableClientOptions) {
    this.#ws = ws;
    this.#logger = options.logger;
    this.#timeoutMs = options.timeoutMs;
    ws.on("message", (data, isBinary) => this.#onMessage(isBinary ? "<binary frame>" : data.toString()));
    this.#closed = new Promise((resolve) => {
      ws.on("close", (code, reasonBuffer) => {
        const reason = reasonBuffer.toString();
        this.#logger.debug({ code, reason }, "socket closed");
        if (!this.#hangingUp) {
          // anycable-go closes a refused Connect with "Auth Failed", normally after the disconnect message.
          const closed =
            reason === "Auth Failed"
              ? new CableError("unauthorized", "connection refused by the application: unauthorized (Auth Failed)")
              : new CableError("closed", `server closed the connection (${code}${reason ? ` ${reason}` : ""})`);
          this.#fail(this.#failure ?? closed);
        }
        resolve({ code, reason });
      });
    });
    ws.on("error", (error) => this.#fail(describeSocketError(options.url, error)));
  }

  /** Opens the socket and waits for the welcome message. */
  static async connect(options: CableClientOptions): Promise<CableClient> {
    if (options.signal?.aborted) throw new CableError("aborted", "interrupted before connecting");
    // A server-side client presents the cable's own origin: anycable-go started with
    // --allowed_origins (as npm start does) refuses an upgrade without Origin.
    const origin = new URL(options.url).origin.replace(/^ws/, "http");
    const ws = new WebSocket(options.url, { headers: options.headers, origin, handshakeTimeout: options.timeoutMs });
    const client = new CableClient(ws, options);
    options.logger.info({ url: options.url, headers: options.headers }, "connecting");
    try {
      await client.#waitFor((m) => m.type === "welcome", "welcome", options.signal);
    } catch (error) {
      ws.terminate();
      throw error;
    }
    options.logger.info("← welcome");
    return client;
  }

  /** Aborted, with the CableError as reason, when the connection is lost other than by hangUp(). */
  get lost(): AbortSignal {
    return this.#lost.signal;
  }

  /** Sends a subscribe command and waits for the confirmation. */
  async subscribe(identifier: string, frame: string, signal?: AbortSignal): Promise<void> {
    this.send(frame);
    const reply = await this.#waitFor(
      (m) => m.identifier === identifier && (m.type === "confirm_subscription" || m.type === "reject_subscription"),
      "subscription confirmation",
      signal,
    );
    if (reply.type === "reject_subscription") {
      this.#logger.error({ identifier }, "← reject_subscription");
      throw new CableError("rejected", `subscription ${identifier} was rejected by the application`);
    }
    this.#logger.info({ identifier }, "← confirm_subscription");
  }

  send(frame: string): void {
    if (this.#failure) throw this.#failure;
    if (this.#ws.readyState !== WebSocket.OPEN) throw new CableError("closed", "the connection is not open");
    this.#logger.debug({ frame }, "sending frame");
    this.#ws.send(frame);
  }

  /** Closes the socket normally (anycable-go then runs Disconnect) and waits for the close. */
  async hangUp(): Promise<{ code: number; reason: string }> {
    this.#hangingUp = true;
    if (this.#ws.readyState === WebSocket.OPEN || this.#ws.readyState === WebSocket.CONNECTING) this.#ws.close(1000, "hang up");
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<{ code: number; reason: string }>((resolve) => {
      timer = setTimeout(() => {
        this.#logger.warn("server did not complete the close handshake in time; dropping the socket");
        this.#ws.terminate();
        resolve({ code: 1006, reason: "close timeout" });
      }, this.#timeoutMs);
    });
    try {
      return await Promise.race([this.#closed, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Drops the socket without a close handshake (used after a failure). */
  terminate(): void {
    this.#hangingUp = true;
    this.#ws.terminate();
  }

  #onMessage(text: string): void {
    let message: Incoming;
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== "object" || parsed === null) throw new Error("not an object");
      message = parsed as Incoming;
    } catch {
      this.#logger.warn({ frame: text }, "← unparseable frame");
      return;
    }
    if (message.type === "ping") {
      this.#logger.trace("← ping");
      return;
    }
    this.#logger.debug({ frame: text }, "received frame");
    if (message.type === "disconnect") {
      const reason = typeof message.reason === "string" ? message.reason : "no reason given";
      this.#logger.warn({ reason, reconnect: message.reconnect }, "← disconnect");
      this.#failure ??=
        reason === "unauthorized"
          ? new CableError(
              "unauthorized",
              "connection refused by the application: unauthorized (does the account match the application's TWILIO_ACCOUNT_SID?)",
            )
          : new CableError("closed", `server disconnected the call: ${reason}`);
      this.#fail(this.#failure);
      return;
    }
    for (const waiter of this.#waiters) {
      if (waiter.accept(message)) return;
    }
    if (message.identifier !== undefined && message.message !== undefined) {
      this.#logger.info({ identifier: message.identifier, message: message.message }, "← transmission");
    } else {
      this.#logger.info({ frame: text }, "← unexpected frame");
    }
  }

  #fail(error: CableError): void {
    if (this.#hangingUp) return;
    this.#failure ??= error;
    for (const waiter of [...this.#waiters]) waiter.fail(this.#failure);
    if (!this.#lost.signal.aborted) this.#lost.abort(this.#failure);
  }

  #waitFor(match: (message: Incoming) => boolean, what: string, signal?: AbortSignal): Promise<Incoming> {
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        this.#waiters.delete(waiter);
      };
      const waiter: Waiter = {
        accept: (message) => {
          if (!match(message)) return false;
          done();
          resolve(message);
          return true;
        },
        fail: (error) => {
          done();
          reject(error);
        },
      };
      const onAbort = () => waiter.fail(new CableError("aborted", `interrupted while waiting for ${what}`));
      const timer = setTimeout(() => waiter.fail(new CableError("timeout", `no ${what} within ${this.#timeoutMs} ms`)), this.#timeoutMs);
      this.#waiters.add(waiter);
      signal?.addEventListener("abort", onAbort, { once: true });
      if (signal?.aborted) onAbort();
    });
  }
}
