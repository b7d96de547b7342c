// `npm run web`: the dashboard on its own. Pages list calls from the shared registry (set
// REDIS_URL so `npm run rpc` writes to the same one), and call progress is pushed through the
// broadcaster configured by the usual ANYCABLE_BROADCAST_* variables.
import { createBroadcaster, loadBroadcastConfig, runProcess } from "anycable-ts";
import { createCallRegistry } from "../calls/create-call-registry.js";
import { startDashboard } from "./server.js";

await runProcess({
  name: "web",
  async start({ env, logger }) {
    // Configuration first (either may refuse it), then the connections.
    const broadcastConfig = loadBroadcastConfig(env);
    const registry = createCallRegistry(env, logger);
    const broadcaster = createBroadcaster(broadcastConfig, logger);
    try {
      const dashboard = await startDashboard({ env, logger, registry, broadcaster });
      return {
        async stop() {
          await dashboard.close();
          await Promise.allSettled([registry.close(), broadcaster.close()]);
        },
      };
    } catch (error) {
      await Promise.allSettled([registry.close(), broadcaster.close()]);
      throw error;
    }
  },
});
