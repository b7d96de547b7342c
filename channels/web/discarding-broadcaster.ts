import type { Broadcaster } from "anycable-ts";

/** For a dashboard run without a broker: updates are still recorded in the registry, just not pushed. */
export const discardingBroadcaster: Broadcaster = {
  broadcast: async () => {},
  broadcastMany: async () => {},
  broadcastCommand: async () => {},
  close: async () => {},
};
