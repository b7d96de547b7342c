import { setImmediate as endOfTurn } from "node:timers/promises";
import type { Logger } from "pino";
import type { Broadcaster } from "../broadcast/broadcaster.js";
import type { Application } from "../cable/application.js";
import { loadRpcConfig, type RpcConfig } from "../config/rpc-config.js";
import { settledWithin } from "../shared/settled-within.js";
import { builtinChannels, type BuiltinChannelsOptions } from "./builtin-channels.js";
import { RpcServer } from "./grpc/server.js";
import { RpcHandler } from "./handler.js";
import { HttpRpcServer } from "./http/server.js";
import type { RpcTransportServer } from "./transport-server.js";

export interface StartRpcServerOptions {
  app: Application;
  broadcaster: Broadcaster;
  logger: Logger;
  /** Defaults to the configuration read from `env`. */
  config?: Partial<RpcConfig>;
  /** Where configuration left out of `config` and `cableReady` is read from; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  cableReady?: BuiltinChannelsOptions["cableReady"];
}

export interface RunningRpcServer {
  port: number;
  /** The gRPC or HTTP server, as `config.transport` chose. */
  server: RpcTransportServer;
  handler: RpcHandler;
  /**
   * Shuts down in order: drains RPC (see RpcTransportServer.shutdown), lets the end-of-turn work
   * of the last calls run, runs the application's close(), then flushes and closes the
   * broadcaster. Idempotent.
   */
  stop(): Promise<void>;
}

/**
 * Starts the RPC server for an application, with the channels every AnyCable application gets
 * beside its own: `CableReady::Stream`, unless the application defines a channel of that name.
 * Throws ConfigError when the environment it reads is unusable.
 */
export async function startRpcServer(options: StartRpcServerOptions): Promise<RunningRpcServer> {
  const env = options.env ?? process.env;
  const config = { ...loadRpcConfig(env), ...options.config };
  const handler = new RpcHandler({
    app: options.app,
    broadcaster: options.broadcaster,
    logger: options.logger,
    builtinChannels: builtinChannels({ app: options.app, logger: options.logger, env, cableReady: options.cableReady }),
  });
  const server: RpcTransportServer =
    config.transport === "http"
      ? new HttpRpcServer({ handler, config, logger: options.logger })
      : new RpcServer({ handler, config, logger: options.logger });
  const port = await server.start();
  options.logger.info({ channels: handler.registry.names }, "channels registered");
  let stopping: Promise<void> | undefined;
  return {
    port,
    server,
    handler,
    stop() {
      stopping ??= (async () => {
        await server.shutdown();
        // A call may leave its broadcasts for the end of its turn (a batch sent from setImmediate,
        // after the answer), and a closed broadcaster refuses them. The drain ends when the
        // transport says so (gRPC: once its connections closed, a few turns later today), which
        // promises nothing about that turn: one more turn first runs every setImmediate queued so far.
        await endOfTurn();
        await closeApplication(options.app, config.shutdownTimeoutSeconds, options.logger);
        await options.broadcaster.close();
      })();
      return stopping;
    },
  };
}

/**
 * Runs the application's close(), for at most the shutdown timeout (ANYCABLE_RPC_SHUTDOWN_TIMEOUT,
 * the drain's own bound): a close() that never settles must not hold the process open, nor keep
 * the broadcaster from flushing what the last calls published. Failing or late, it is logged.
 */
async function closeApplication(app: Application, timeoutSeconds: number, logger: Logger): Promise<void> {
  if (app.close === undefined) return;
  try {
    if (
      !(await settledWithin(
        Promise.resolve().then(() => app.close?.()),
        timeoutSeconds * 1000,
      ))
    ) {
      logger.error(
        { shutdownTimeoutSeconds: timeoutSeconds },
        "the application's close() did not finish within ANYCABLE_RPC_SHUTDOWN_TIMEOUT; closing the broadcaster anyway",
      );
    }
  } catch (error) {
    logger.error({ err: error }, "the application's close() failed; closing the broadcaster anyway");
  }
}
