import { connect, ErrorCode, Events, NatsError, type NatsConnection, type Status } from "nats";
import { z } from "zod";
import type { Logger } from "../logging/logger.js";
import { defineBroadcastAdapter } from "./adapter.js";
import { backoffDelay, sleep, type BackoffOptions } from "./backoff.js";
import { subjectOrKey } from "./env-schemas.js";
import { asError, errorMessage } from "./errors.js";
import { redactUrl } from "./redact.js";
import { SENT, type BroadcastTransport, type DeliveryOutcome, type TransportListener } from "./transport.js";

export interface NatsTransportOptions {
  servers: string[];
  subject: string;
  reconnect: BackoffOptions;
  logger: Logger;
}

/**
 * Credentials written in a server URL (`nats://user:pass@host`, `nats://token@host`), which the Go
 * client anycable-go uses reads but nats.js ignores: without this, such a URL is refused with an
 * authorization violation forever. The first server that carries credentials gives them.
 */
export function credentialsFrom(servers: readonly string[]): { user: string; pass: string } | { token: string } | undefined {
  for (const server of servers) {
    let url: URL;
    try {
      // A server may be written without a scheme (`user:pw@host:4222`), as nats.js accepts it.
      url = new URL(server.includes("://") ? server : `nats://${server}`);
    } catch {
      continue;
    }
    if (url.username === "") continue;
    const username = decodeURIComponent(url.username);
    return url.password === "" ? { token: username } : { user: username, pass: decodeURIComponent(url.password) };
  }
  return undefined;
}

/** Errors about the message itself; everything else (closed, disconnected) is worth a retry. */
const PERMANENT = new Set<string>([ErrorCode.MaxPayloadExceeded, ErrorCode.BadPayload]);

/**
 * The server's `-ERR 'Permissions Violation for Publish to "<subject>"'`, as nats.js reports it.
 * The transport's connection only ever publishes, to its one subject: any violation is a refusal of that.
 */
const deniesPublishing = (status: Status): boolean => status.type === Events.Error && status.data === ErrorCode.PermissionsViolation;

/**
 * While publications keep coming, NATS windows start at most this often. Each window costs a
 * socket write that wakes the server, a PING and the read of its PONG: under a storm of RPC calls,
 * each publishing alone, that was about half of the application's extra cost per call. Two
 * milliseconds lets the calls of a busy moment share one; after a quiet spell nothing waits.
 */
export const NATS_WINDOW_SPACING_MS = 2;

/** A merged message stays far below NATS's default max_payload (1 MB); a server set lower is handled by publishing one by one. */
const MAX_MERGED_CHARS = 64 * 1024;

/** The publications of a payload as payload.ts encodes it (`{"stream":…}` or `[{"stream":…},…]`), without brackets; undefined for a command. */
function publicationsOf(payload: string): string | undefined {
  if (payload.startsWith('{"stream":')) return payload;
  if (payload.startsWith('[{"stream":') && payload.endsWith("]")) return payload.slice(1, -1);
  return undefined;
}

/**
 * The payloads from `start` that go out as one message: consecutive publications and batches
 * merge into one batch, which anycable-go (>= 1.4.5) fans out exactly as it would the separate
 * messages, one after another. Each NATS message costs anycable-go a parse and a hand-off of its
 * own; in a storm, every RPC call's updates were one. A command, or anything else, goes alone.
 */
export function publicationRun(payloads: readonly string[], start: number): { message: string; count: number } {
  const first = payloads[start] as string;
  const parts: string[] = [];
  let chars = 2;
  for (let i = start; i < payloads.length; i++) {
    const publications = publicationsOf(payloads[i] as string);
    if (publications === undefined || (parts.length > 0 && chars + publications.length + 1 > MAX_MERGED_CHARS)) break;
    parts.push(publications);
    chars += publications.length + 1;
  }
  return parts.length < 2 ? { message: first, count: 1 } : { message: `[${parts.join(",")}]`, count: parts.length };
}

/** One macrotask: every promise turn queued before it (nats.js's status iterator included) has run. */
const afterPendingCallbacks = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * PUB on the subject anycable-go's nats broadcaster subscribes to. A window of publishes is
 * acknowledged by one flush (PING/PONG): nats.js throws away whatever it buffered while
 * disconnected when it redials, so only a PONG proves the server has the messages.
 */
export class NatsTransport implements BroadcastTransport {
  readonly kind = "NATS";
  readonly target: string;
  readonly windowSpacingMs = NATS_WINDOW_SPACING_MS;
  #nc: NatsConnection | undefined;
  #connected = false;
  /** Publishes the server refused for lack of permission, as #watch counts them. */
  #deniedPublishes = 0;
  readonly #stopping = new AbortController();

  readonly #options: NatsTransportOptions;

  constructor(options: NatsTransportOptions) {
    this.#options = options;
    this.target = options.servers.map(redactUrl).join(",");
  }

  get ready(): boolean {
    return this.#connected;
  }

  start(listener: TransportListener): void {
    void this.#connectLoop(listener);
  }

  /**
   * The first connection is retried here rather than with nats.js's waitOnFirstConnect: a pending
   * waitOnFirstConnect connect() cannot be cancelled, and would keep a closing process alive.
   * Once connected, nats.js reconnects by itself, forever (maxReconnectAttempts: -1).
   */
  async #connectLoop(listener: TransportListener): Promise<void> {
    for (let attempt = 1; !this.#stopping.signal.aborted; attempt += 1) {
      try {
        const nc = await connect({
          servers: this.#options.servers,
          ...credentialsFrom(this.#options.servers),
          name: "anycable-ts broadcaster",
          reconnect: true,
          maxReconnectAttempts: -1,
          // nats.js waits a fixed time between redials (its default is 2 s).
          reconnectTimeWait: Math.min(2_000, this.#options.reconnect.maxDelayMs),
          waitOnFirstConnect: false,
          timeout: 5_000,
          // Notice a half-open connection within ~30 s instead of nats.js's default 4 min.
          pingInterval: 10_000,
          maxPingOut: 3,
          noEcho: true,
        });
        if (this.#stopping.signal.aborted) {
          await nc.close();
          return;
        }
        this.#nc = nc;
        this.#connected = true;
        listener.up();
        void this.#watch(nc, listener);
        const closedWith = await nc.closed();
        this.#connected = false;
        this.#nc = undefined;
        if (this.#stopping.signal.aborted) return;
        // Only an unrecoverable error (e.g. authorization) closes a client that reconnects forever.
        listener.down(closedWith ?? new Error("NATS connection closed"));
        attempt = 0;
      } catch (error) {
        if (this.#stopping.signal.aborted) return;
        listener.down(asError(error));
      }
      await sleep(backoffDelay(Math.max(attempt, 1), this.#options.reconnect), this.#stopping.signal);
    }
  }

  async #watch(nc: NatsConnection, listener: TransportListener): Promise<void> {
    for await (const status of nc.status()) {
      if (status.type === Events.Disconnect) {
        this.#connected = false;
        if (!this.#stopping.signal.aborted) listener.down(new Error(`disconnected from ${redactUrl(String(status.data))}`));
      } else if (status.type === Events.Reconnect) {
        this.#connected = true;
        listener.up();
      } else if (deniesPublishing(status)) {
        // The server dropped the message and kept the connection; deliver() fails the window.
        this.#deniedPublishes += 1;
      } else if (status.type === Events.Error) {
        this.#options.logger.error({ status: String(status.data) }, "NATS server reported an error");
      }
    }
  }

  async deliver(payloads: readonly string[]): Promise<DeliveryOutcome[]> {
    const nc = this.#nc;
    if (nc === undefined || !this.#connected) return payloads.map(() => ({ status: "retry", error: new Error("not connected to NATS") }));
    const outcomes: DeliveryOutcome[] = [];
    const deniedBefore = this.#deniedPublishes;
    let published = false;
    // Once a publish must be retried, nothing after it is sent: it would overtake the retried one.
    let retryRest: Error | undefined;
    // Payloads before this index go out one by one: merged, they were too large for this server.
    let aloneUntil = 0;
    for (let start = 0; start < payloads.length;) {
      const run = start < aloneUntil ? { message: payloads[start] as string, count: 1 } : publicationRun(payloads, start);
      const outcome = retryRest === undefined ? this.#publish(nc, run.message) : { status: "retry" as const, error: retryRest };
      if (run.count > 1 && outcome.status === "failed") {
        // Too large together for this server: each on its own, so only one too large itself fails.
        aloneUntil = start + run.count;
        continue;
      }
      if (outcome === SENT) published = true;
      else if (outcome.status === "retry") retryRest = outcome.error;
      for (let i = 0; i < run.count; i++) outcomes.push(outcome);
      start += run.count;
    }
    if (!published) return outcomes;
    try {
      await nc.flush();
    } catch (error) {
      // The PONG never came: some of these may have arrived, but none is known to have.
      const err = new Error(`NATS flush failed: ${errorMessage(error)}`);
      return outcomes.map((o) => (o.status === "sent" ? { status: "retry", error: err } : o));
    }
    // A publish the user may not make is not an error of publish() or flush(): the server answers
    // it with -ERR (before the PONG) and drops the message, and nats.js reports that only as a
    // status event. Counted as sent, every publication would be lost in silence. Permissions are
    // per subject and this transport has one, so a refusal during the window refuses all of it.
    await afterPendingCallbacks();
    if (this.#deniedPublishes === deniedBefore) return outcomes;
    const denied = new Error(
      `NATS server denied publishing to "${this.#options.subject}" (permissions violation): grant the user publish permission on it`,
    );
    return outcomes.map((o) => (o.status === "sent" ? { status: "failed", error: denied } : o));
  }

  /** One PUB; a method rather than a closure made per window (this runs behind every RPC call that broadcasts). */
  #publish(nc: NatsConnection, message: string): DeliveryOutcome {
    try {
      nc.publish(this.#options.subject, message);
      return SENT;
    } catch (error) {
      const err = asError(error);
      return err instanceof NatsError && PERMANENT.has(err.code) ? { status: "failed", error: err } : { status: "retry", error: err };
    }
  }

  async stop(): Promise<void> {
    this.#stopping.abort();
    this.#connected = false;
    const nc = this.#nc;
    this.#nc = undefined;
    if (nc !== undefined && !nc.isClosed()) await nc.close();
  }
}

// nats.js accepts both nats://host:port and a bare host:port for every server in the list. The
// shape is checked here, then the whole as a URL (as nats.js will read it): that refuses a port out
// of range or not a number at start-up rather than at the first dial. The host part of the pattern
// takes the port, credentials and IPv6 brackets alike. natsServers below has trimmed each one already.
const natsServer = z
  .string()
  .refine((v) => /^((nats|tls|ws|wss):\/\/)?[^\s,/]+\/?$/.test(v) && URL.canParse(v.includes("://") ? v : `nats://${v}`), {
    message: "expected a comma-separated list of NATS servers, e.g. nats://127.0.0.1:4222",
  });

const natsServers = z
  .string()
  .transform((raw) =>
    raw
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== ""),
  )
  .pipe(z.array(natsServer).min(1, "expected at least one NATS server"));

/** `config.nats`. */
export interface NatsSettings {
  /** Tried in order given to nats.js; `ANYCABLE_NATS_SERVERS`. */
  servers: string[];
  /** Subject anycable-go subscribes to; `ANYCABLE_NATS_CHANNEL`. */
  subject: string;
}

/** anycable-go's `nats` broadcaster (the default, and what its embedded NATS serves). */
export const natsAdapter = defineBroadcastAdapter({
  name: "nats",
  configKey: "nats",
  env: {
    ANYCABLE_NATS_SERVERS: natsServers.default(["nats://127.0.0.1:4222"]),
    ANYCABLE_NATS_CHANNEL: subjectOrKey.default("__anycable__"),
  },
  settings: (env): NatsSettings => ({ servers: env.ANYCABLE_NATS_SERVERS, subject: env.ANYCABLE_NATS_CHANNEL }),
  createTransport: (settings, { reconnect, logger }) => new NatsTransport({ ...settings, reconnect, logger }),
  describe: ({ subject }) => `subject ${subject}`,
});
