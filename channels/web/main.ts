// `npm run web`: the dashboard on its own. Pages list calls from the shared registry (set
// REDIS_URL so `npm run rpc` writes to the same one), and call progress is pushed through the
// broadcaster configured by the usual ANYCABLE_BROADCAST_* variables.
import { ConfigError, createBroadcaster, createLogger, loadBroadcastConfig, logUnhandledRejections } from "../../src/index.js";
import { createCallRegistry } from "../registry/create-call-registry.js";
import { startDashboard } from "./server.js";

const logger = createLogger({ name: "web" });
logUnhandledRejections(logger);
const env = process.env;

async function main(): Promise<number> {
  let broadcastConfig;
  let registry;
  try {
    broadcastConfig = loadBroadcastConfig(env);
    registry = createCallRegistry(env, logger);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  const broadcaster = createBroadcaster(broadcastConfig, logger);
  let dashboard;
  try {
    dashboard = await startDashboard({ env, logger, registry, broadcaster });
  } catch (error) {
    await Promise.allSettled([registry.close(), broadcaster.close()]);
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    logger.fatal({ err: error }, `cannot start the dashboard: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  const running = dashboard;
  return new Promise<number>((done) => {
    const stop = (signal: NodeJS.Signals): void => {
      logger.info({ signal }, "shutting down");
      void running
        .close()
        .then(() => Promise.allSettled([registry.close(), broadcaster.close()]))
        .then(() => done(0));
    };
    process.once("SIGTERM", stop);
    process.once("SIGINT", stop);
  });
}

process.exitCode = await main();
// A broker or Redis reconnect timer must not keep a stopped dashboard alive.
setTimeout(() => process.exit(), 100).unref();
