// `npm run rpc [app-module]`: the AnyCable RPC server for an application module, configured
// from the environment with AnyCable's variable names, stopped cleanly by SIGTERM / SIGINT.
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { createBroadcaster, loadBroadcastConfig } from "../broadcast/index.js";
import { createCableReadyStreamChannel, loadCableReadyConfig } from "../cable-ready/index.js";
import { resolveApplication } from "../cable/application-module.js";
import { ConfigError } from "../config/errors.js";
import { loadRpcConfig } from "../config/rpc-config.js";
import { createLogger } from "../logging/logger.js";
import { logUnhandledRejections } from "../process/safety-nets.js";
import { onShutdownSignal } from "../process/shutdown-signals.js";
import { startRpcServer } from "../rpc/start-server.js";

const USAGE = `Usage: npm run rpc -- [app-module]

Starts the AnyCable RPC server for the application that app-module default-exports
(default: channels/app.ts, or ANYCABLE_APP): gRPC on ANYCABLE_RPC_HOST (host:port), or RPC over
HTTP when ANYCABLE_RPC_HOST is an http:// URL (e.g. http://127.0.0.1:8080/_anycable, the value
anycable-go's --rpc_host takes) or ANYCABLE_HTTP_RPC_MOUNT_PATH is set. Configuration comes from
ANYCABLE_* variables; see the README for the full list.`;

type Loaders = readonly ((env: NodeJS.ProcessEnv) => unknown)[];

function loadAll<L extends Loaders>(env: NodeJS.ProcessEnv, loaders: L): { [K in keyof L]: ReturnType<L[K]> } {
  const problems: string[] = [];
  const values = loaders.map((load) => {
    try {
      return load(env);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(error.message);
      return undefined;
    }
  });
  if (problems.length > 0) throw new ConfigError(problems.join("\n"));
  return values as { [K in keyof L]: ReturnType<L[K]> };
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { help: { type: "boolean", short: "h" } } });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const logger = createLogger({ name: "rpc" });
  logUnhandledRejections(logger);
  const env = process.env;
  const modulePath = positionals[0] ?? env.ANYCABLE_APP ?? "channels/app.ts";
  let running;
  try {
    // Read all configuration before connecting anything, and report every problem at once.
    const [rpcConfig, broadcastConfig, cableReady] = loadAll(env, [loadRpcConfig, loadBroadcastConfig, loadCableReadyConfig] as const);
    const imported = (await import(pathToFileURL(resolve(modulePath)).href)) as { default?: unknown };
    const broadcaster = createBroadcaster(broadcastConfig, logger);
    const app = await resolveApplication(imported.default, { env, logger, broadcaster }, modulePath);
    if (!cableReady.secret) {
      logger.info(
        "no ANYCABLE_CABLE_READY_SECRET / ANYCABLE_STREAMS_SECRET / ANYCABLE_SECRET: CableReady::Stream subscriptions that reach RPC are rejected",
      );
    }
    running = await startRpcServer({
      app,
      broadcaster,
      logger,
      config: rpcConfig,
      env,
      builtinChannels: [createCableReadyStreamChannel(cableReady.secret)],
    });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    logger.fatal({ err: error }, `cannot start the RPC server: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  const server = running;
  return new Promise<number>((done) => {
    onShutdownSignal({
      onStop(signal) {
        logger.info({ signal }, "shutting down");
        server.stop().then(
          () => done(0),
          (error: unknown) => {
            logger.error({ err: error }, "shutdown failed");
            done(1);
          },
        );
      },
      onForce(signal) {
        logger.warn({ signal }, "second signal: exiting without waiting");
        done(1);
      },
    });
  });
}

process.exitCode = await main();
// Lingering handles (a broker reconnect timer) must not keep a stopped server alive.
setTimeout(() => process.exit(), 100).unref();
