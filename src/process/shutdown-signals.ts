import type { ProcessHost } from "./process-host.js";

/**
 * SIGINT / SIGTERM handling for long-running commands: the first signal starts a graceful stop,
 * a later one forces the exit. Ctrl-C reaches every process in the terminal's foreground group
 * and `tsx` relays it to its child as well, so one keypress can arrive twice within a moment;
 * repeats inside `graceMs` count as the same request.
 */
export interface ShutdownSignalOptions {
  /** Called once, on the first signal. */
  onStop(signal: NodeJS.Signals): void;
  /** Called on a signal that arrives later than `graceMs` after the first. */
  onForce?(signal: NodeJS.Signals): void;
  graceMs?: number;
}

/** Listens on `host` (default: this process) until the returned function is called. */
export function onShutdownSignal(options: ShutdownSignalOptions, host: Pick<ProcessHost, "on" | "off"> = process): () => void {
  const graceMs = options.graceMs ?? 1_000;
  let firstAt: number | undefined;
  const handler = (signal: NodeJS.Signals): void => {
    const now = Date.now();
    if (firstAt === undefined) {
      firstAt = now;
      options.onStop(signal);
    } else if (now - firstAt > graceMs) {
      options.onForce?.(signal);
    }
  };
  host.on("SIGINT", handler);
  host.on("SIGTERM", handler);
  return () => {
    host.off("SIGINT", handler);
    host.off("SIGTERM", handler);
  };
}
