import pRetry, { AbortError } from "p-retry";
import type { BackoffOptions } from "./backoff.js";
import { errorMessage } from "./errors.js";
import { redactUrl } from "./redact.js";
import { SENT, type BroadcastTransport, type DeliveryOutcome, type TransportListener } from "./transport.js";

export interface HttpTransportOptions {
  url: string;
  /** Bearer key; undefined sends no Authorization header. */
  key: string | undefined;
  requestTimeoutMs: number;
  reconnect: BackoffOptions;
}

/** A status anycable-go (or a proxy in front of it) may answer differently a moment later. */
function retryableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

export class HttpStatusError extends Error {
  override name = "HttpStatusError";
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * POST each payload to anycable-go's broadcast endpoint, one at a time so they arrive in order.
 * Connection errors, timeouts and 5xx are retried with capped exponential backoff for as long as
 * the broadcaster is open (p-retry, forever); any other non-2xx (401 wrong key, 404 wrong path or
 * port, 422) fails that payload at once: retrying cannot fix configuration.
 */
export class HttpTransport implements BroadcastTransport {
  readonly kind = "anycable-go HTTP broadcast";
  readonly target: string;
  readonly ready = true;
  private readonly headers: Record<string, string>;
  private readonly stopping = new AbortController();
  private listener: TransportListener | undefined;
  private healthy: boolean | undefined;

  constructor(private readonly options: HttpTransportOptions) {
    this.target = redactUrl(options.url);
    this.headers = { "content-type": "application/json" };
    if (options.key !== undefined) this.headers.authorization = `Bearer ${options.key}`;
  }

  start(listener: TransportListener): void {
    this.listener = listener;
  }

  async deliver(payloads: readonly string[]): Promise<DeliveryOutcome[]> {
    const outcomes: DeliveryOutcome[] = [];
    for (const payload of payloads) outcomes.push(await this.post(payload));
    return outcomes;
  }

  private async post(payload: string): Promise<DeliveryOutcome> {
    try {
      await pRetry(() => this.attempt(payload), {
        forever: true,
        retries: 16,
        factor: 2,
        minTimeout: this.options.reconnect.minDelayMs,
        maxTimeout: this.options.reconnect.maxDelayMs,
        randomize: false,
        signal: this.stopping.signal,
        onFailedAttempt: (error) => this.markHealthy(false, error),
      });
      this.markHealthy(true);
      return SENT;
    } catch (error) {
      const err = error instanceof Error ? error : new Error(String(error));
      if (this.stopping.signal.aborted) return { status: "retry", error: new Error("HTTP broadcaster stopped") };
      return { status: "failed", error: err };
    }
  }

  private async attempt(payload: string): Promise<void> {
    const response = await fetch(this.options.url, {
      method: "POST",
      headers: this.headers,
      body: payload,
      signal: AbortSignal.any([this.stopping.signal, AbortSignal.timeout(this.options.requestTimeoutMs)]),
    });
    // Drain the body so the keep-alive socket can be reused.
    await response.arrayBuffer().catch(() => undefined);
    if (response.ok) return;
    const hint =
      response.status === 401
        ? ": the broadcast key does not match anycable-go's (check ANYCABLE_BROADCAST_KEY / ANYCABLE_SECRET against its --broadcast_key / --secret)"
        : response.status === 404
          ? ": wrong URL? anycable-go serves /_broadcast on --http_broadcast_port (8090 unless a key is set)"
          : "";
    const error = new HttpStatusError(response.status, `HTTP ${response.status} ${response.statusText}${hint}`);
    if (retryableStatus(response.status)) throw error;
    throw new AbortError(error);
  }

  private markHealthy(healthy: boolean, reason?: Error): void {
    if (healthy) {
      if (this.healthy !== true) this.listener?.up();
    } else if (!(reason instanceof HttpStatusError) || retryableStatus(reason.status)) {
      this.listener?.down(new Error(errorMessage(reason)));
    }
    this.healthy = healthy;
  }

  async stop(): Promise<void> {
    this.stopping.abort();
  }
}
