import type { Logger } from "pino";
import { createBroadcaster, loadBroadcastConfig } from "../broadcast/index.js";
import { loadCableReadyConfig } from "../cable-ready/config.js";
import { resolveApplication, resolveBroadcastAdapters } from "../cable/application-module.js";
import { ConfigError, isConfigError } from "../config/errors.js";
import { loadRpcConfig } from "../config/rpc-config.js";
import type { ProcessHost } from "../process/process-host.js";
import { runProcess } from "../process/run-process.js";
import { startRpcServer } from "../rpc/start-server.js";
import { loadModule } from "./load-module.js";

type Loaders = readonly ((env: NodeJS.ProcessEnv) => unknown)[];

/** Runs every loader, so one start-up reports every configuration problem at once. */
function loadAll<L extends Loaders>(env: NodeJS.ProcessEnv, loaders: L): { [K in keyof L]: ReturnType<L[K]> } {
  const problems: string[] = [];
  const values = loaders.map((load) => {
    try {
      return load(env);
    } catch (error) {
      if (!isConfigError(error)) throw error;
      problems.push(error.message);
      return undefined;
    }
  });
  if (problems.length > 0) throw new ConfigError(problems.join("\n"));
  return values as { [K in keyof L]: ReturnType<L[K]> };
}

/** Serves the application module at `modulePath` until SIGTERM / SIGINT; resolves with the exit code. */
export function serve(modulePath: string, host: ProcessHost = process, logger?: Logger): Promise<number> {
  const env = host.env;
  return runProcess({
    name: "rpc",
    env,
    process: host,
    logger,
    async start({ logger }) {
      // The module first: the adapters it exports decide which broadcast variables there are.
      // Then all configuration, before connecting anything.
      const exports = await loadModule(modulePath);
      const adapters = resolveBroadcastAdapters(exports.broadcastAdapters, modulePath);
      const [rpcConfig, broadcastConfig, cableReady] = loadAll(env, [
        loadRpcConfig,
        (vars: NodeJS.ProcessEnv) => loadBroadcastConfig(vars, { adapters }),
        loadCableReadyConfig,
      ] as const);
      const broadcaster = createBroadcaster(broadcastConfig, logger);
      try {
        const app = await resolveApplication(exports.default, { env, logger, broadcaster }, modulePath);
        return await startRpcServer({ app, broadcaster, logger, config: rpcConfig, env, cableReady });
      } catch (error) {
        await broadcaster.close().catch(() => undefined);
        throw error;
      }
    },
  });
}
