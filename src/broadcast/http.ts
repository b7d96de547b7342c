import { createHmac } from "node:crypto";
import pRetry, { AbortError } from "p-retry";
import { z } from "zod";
import { defineBroadcastAdapter } from "./adapter.js";
import type { BackoffOptions } from "./backoff.js";
import { urlWithProtocols } from "./env-schemas.js";
import { asError, errorMessage } from "./errors.js";
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
  readonly #headers: Record<string, string>;
  readonly #stopping = new AbortController();
  #listener: TransportListener | undefined;
  #healthy: boolean | undefined;

  readonly #options: HttpTransportOptions;

  constructor(options: HttpTransportOptions) {
    this.#options = options;
    this.target = redactUrl(options.url);
    this.#headers = { "content-type": "application/json" };
    if (options.key !== undefined) this.#headers.authorization = `Bearer ${options.key}`;
  }

  start(listener: TransportListener): void {
    this.#listener = listener;
  }

  async deliver(payloads: readonly string[]): Promise<DeliveryOutcome[]> {
    const outcomes: DeliveryOutcome[] = [];
    for (const payload of payloads) outcomes.push(await this.#post(payload));
    return outcomes;
  }

  async #post(payload: string): Promise<DeliveryOutcome> {
    try {
      await pRetry(() => this.#attempt(payload), {
        forever: true,
        retries: 16,
        factor: 2,
        minTimeout: this.#options.reconnect.minDelayMs,
        maxTimeout: this.#options.reconnect.maxDelayMs,
        randomize: false,
        signal: this.#stopping.signal,
        onFailedAttempt: (error) => this.#markHealthy(false, error),
      });
      this.#markHealthy(true);
      return SENT;
    } catch (error) {
      const err = asError(error);
      if (this.#stopping.signal.aborted) return { status: "retry", error: new Error("HTTP broadcaster stopped") };
      return { status: "failed", error: err };
    }
  }

  async #attempt(payload: string): Promise<void> {
    const response = await fetch(this.#options.url, {
      method: "POST",
      headers: this.#headers,
      body: payload,
      signal: AbortSignal.any([this.#stopping.signal, AbortSignal.timeout(this.#options.requestTimeoutMs)]),
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

  #markHealthy(healthy: boolean, reason?: Error): void {
    if (healthy) {
      if (this.#healthy !== true) this.#listener?.up();
    } else {
      // Only a failure p-retry will try again gets here: a refusal (AbortError) rejects at once,
      // without onFailedAttempt, so a 4xx is never reported as an outage.
      this.#listener?.down(new Error(errorMessage(reason)));
    }
    this.#healthy = healthy;
  }

  async stop(): Promise<void> {
    this.#stopping.abort();
  }
}

/** The phrase anycable-go (broadcast/http.go) and the Ruby gem sign to derive the broadcast key. */
const BROADCAST_KEY_PHRASE = "broadcast-cable";

/** Hex HMAC-SHA256(key = secret, data = "broadcast-cable"), as anycable-go and the Ruby gem derive it. */
export function deriveBroadcastKey(secret: string): string {
  return createHmac("sha256", secret).update(BROADCAST_KEY_PHRASE).digest("hex");
}

/**
 * Without a key anycable-go serves HTTP broadcasts on a separate port (8090) so an open
 * endpoint is not exposed on the public one; with a key it serves them on the main port
 * (8080 by default). The Ruby gem picks its default URL the same way; so do we.
 */
export const DEFAULT_HTTP_BROADCAST_URL = "http://localhost:8090/_broadcast";
export const DEFAULT_HTTP_BROADCAST_URL_WITH_KEY = "http://localhost:8080/_broadcast";

/** `config.http`. */
export interface HttpSettings {
  url: string;
  /** Whether `url` came from the built-in default rather than `ANYCABLE_HTTP_BROADCAST_URL`. */
  urlIsDefault: boolean;
  /** Sent as `Authorization: Bearer <key>`; undefined sends no header. */
  key: string | undefined;
  keySource: "ANYCABLE_BROADCAST_KEY" | "ANYCABLE_SECRET" | "none";
  /** One request's deadline; a timed-out request is retried like a connection error. */
  requestTimeoutMs: number;
}

const httpEnv = {
  ANYCABLE_HTTP_BROADCAST_URL: urlWithProtocols(["http:", "https:"], DEFAULT_HTTP_BROADCAST_URL).optional(),
  ANYCABLE_BROADCAST_KEY: z.string().trim().optional(),
  ANYCABLE_SECRET: z.string().trim().optional(),
};

function httpSettings(env: z.output<z.ZodObject<typeof httpEnv>>): HttpSettings {
  // "none" is anycable-go's spelling for "explicitly no key" (no auth, no derivation).
  let key: string | undefined;
  let keySource: HttpSettings["keySource"] = "none";
  if (env.ANYCABLE_BROADCAST_KEY !== undefined) {
    if (env.ANYCABLE_BROADCAST_KEY !== "none") {
      key = env.ANYCABLE_BROADCAST_KEY;
      keySource = "ANYCABLE_BROADCAST_KEY";
    }
  } else if (env.ANYCABLE_SECRET !== undefined && env.ANYCABLE_SECRET !== "none") {
    key = deriveBroadcastKey(env.ANYCABLE_SECRET);
    keySource = "ANYCABLE_SECRET";
  }
  const defaultUrl = key === undefined ? DEFAULT_HTTP_BROADCAST_URL : DEFAULT_HTTP_BROADCAST_URL_WITH_KEY;
  return {
    url: env.ANYCABLE_HTTP_BROADCAST_URL ?? defaultUrl,
    urlIsDefault: env.ANYCABLE_HTTP_BROADCAST_URL === undefined,
    key,
    keySource,
    requestTimeoutMs: 5_000,
  };
}

/** anycable-go's HTTP broadcast endpoint (`/_broadcast`), authenticated with the broadcast key. */
export const httpAdapter = defineBroadcastAdapter({
  name: "http",
  configKey: "http",
  env: httpEnv,
  settings: httpSettings,
  createTransport: ({ url, key, requestTimeoutMs }, { reconnect }) => new HttpTransport({ url, key, requestTimeoutMs, reconnect }),
  describe: ({ key, keySource, urlIsDefault }) => {
    const auth = key === undefined ? "no authorization" : `authorization key from ${keySource}`;
    const url = urlIsDefault ? "default URL; set ANYCABLE_HTTP_BROADCAST_URL to change" : "ANYCABLE_HTTP_BROADCAST_URL";
    return `${auth}; ${url}`;
  },
});
