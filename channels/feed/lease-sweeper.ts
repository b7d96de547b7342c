import type { Logger } from "../../src/index.js";
import type { CallFeed } from "./call-feed.js";

export interface LeaseSweeperOptions {
  feed: CallFeed;
  leaseMs: number;
  logger: Logger;
  /** How often to look; default a quarter of the lease (at most 30 s), so a dead call goes within 1.25 leases. */
  intervalMs?: number;
  now?: () => number;
}

export interface LeaseSweeper {
  /** Resolves when the first sweep (at start-up, for calls left over from before) is done. */
  readonly started: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Ends calls whose stream went quiet for longer than the lease: anycable-go or the bridge died, so
 * no Disconnect (and no "call stopped") will ever come. Runs once at start-up for calls a previous
 * run left live, then periodically.
 */
export function startLeaseSweeper(options: LeaseSweeperOptions): LeaseSweeper {
  const { feed, leaseMs, logger } = options;
  const now = options.now ?? Date.now;
  const intervalMs = options.intervalMs ?? Math.min(Math.max(leaseMs / 4, 250), 30_000);
  let running: Promise<void> = Promise.resolve();
  const sweep = (): Promise<void> => {
    running = running.then(async () => {
      try {
        const ended = await feed.endSilentCalls(now() - leaseMs);
        if (ended.length > 0) logger.info({ ended: ended.length, leaseSeconds: leaseMs / 1000 }, "ended calls whose stream went silent");
      } catch (error) {
        logger.error({ err: error }, "sweeping silent calls failed; retrying at the next interval");
      }
    });
    return running;
  };
  const started = sweep();
  const timer = setInterval(() => void sweep(), intervalMs);
  timer.unref();
  return {
    started,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
