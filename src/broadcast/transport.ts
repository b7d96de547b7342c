/**
 * The only thing an adapter implements: deliver already-encoded JSON strings to one broker and
 * report whether it can currently do so. Queueing, ordering, retries after reconnect, limits and
 * the log lines about outages live in QueuedBroadcaster, so they behave the same for every adapter.
 */
export interface BroadcastTransport {
  /** Human name for log lines, e.g. "NATS", "Redis". */
  readonly kind: string;
  /** Where it sends, with any password masked, e.g. "nats://127.0.0.1:4222". */
  readonly target: string;
  /** True while deliver() can be attempted. */
  readonly ready: boolean;
  /**
   * Least time, in ms, between the starts of two deliver() calls while publications keep coming
   * (none when absent). For a broker whose cost is per delivery (a socket write, an acknowledgement
   * round trip, a wake-up of the broker) rather than per payload: calls made meanwhile wait and
   * share the next delivery. A publication made after a quiet spell is never delayed.
   */
  readonly windowSpacingMs?: number;
  /** Starts connecting in the background; never throws because the broker is unreachable. */
  start(listener: TransportListener): void;
  /**
   * Delivers payloads in the given order and says, per payload, what happened. Must not reject.
   * "retry" payloads stay queued and are delivered again after the next `up()` or a backoff. Once
   * one payload is "retry", later payloads of the same call should not be "sent": the retried one
   * would then reach subscribers after its successors (QueuedBroadcaster accepts it, out of order).
   */
  deliver(payloads: readonly string[]): Promise<DeliveryOutcome[]>;
  /** Releases the connection; pending deliver() calls may then report "retry" or "failed". */
  stop(): Promise<void>;
}

export interface TransportListener {
  /** Connected (again): queued payloads can flow. */
  up(): void;
  /** Lost the connection or failed to make it; may repeat during one outage. */
  down(reason: Error): void;
}

export type DeliveryOutcome =
  | { status: "sent" }
  /** The broker refused this payload; it is dropped and its promise rejects. */
  | { status: "failed"; error: Error }
  /** Not delivered for a passing reason (not connected, server loading…); try again later. */
  | { status: "retry"; error: Error };

export const SENT: DeliveryOutcome = { status: "sent" };
