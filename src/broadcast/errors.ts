import type { PayloadSubject } from "./payload.js";

/** Base of every error a broadcast promise rejects with; `about` names the stream(s) or command. */
export class BroadcastError extends Error {
  override name = "BroadcastError";
  constructor(
    message: string,
    readonly about: PayloadSubject | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The bounded queue is full: the broker has been unreachable for a while, or is slower than the publishers. */
export class BroadcastQueueFullError extends BroadcastError {
  override name = "BroadcastQueueFullError";
}

/** Published after close() began, or still pending when close()'s flush timeout ran out. */
export class BroadcastClosedError extends BroadcastError {
  override name = "BroadcastClosedError";
}

/** The broker or anycable-go refused this message (e.g. HTTP 401, a Redis error reply); retrying would not help. */
export class BroadcastRejectedError extends BroadcastError {
  override name = "BroadcastRejectedError";
}

export function describeAbout(about: PayloadSubject): string {
  switch (about.kind) {
    case "publication":
      return `stream "${about.stream}"`;
    case "batch":
      return `batch of ${about.size} to ${about.streams
        .slice(0, 3)
        .map((s) => `"${s}"`)
        .join(", ")}${about.streams.length > 3 ? ", …" : ""}`;
    case "command":
      return `${about.command} command`;
  }
}

/** What was thrown, as an Error: libraries and brokers may throw anything. */
export function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) {
    // Node's fetch hides the socket error in `cause` ("fetch failed").
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
    return `${error.message}${cause}`;
  }
  return String(error);
}
