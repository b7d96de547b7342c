import type { Logger } from "pino";
import type { Broadcaster } from "../../broadcast/broadcaster.js";
import type { Application } from "../../cable/application.js";
import type { ChannelClass } from "../../cable/channel.js";
import { loadHttpRpcSecret, loadRpcConfig } from "../../config/rpc-config.js";
import { builtinChannels, type BuiltinChannelsOptions } from "../builtin-channels.js";
import { RpcHandler } from "../handler.js";
import { createHttpRpcListener, type NodeRequestListener } from "./listener.js";

export interface CreateHttpRpcHandlerOptions {
  app: Application;
  broadcaster: Broadcaster;
  logger: Logger;
  /**
   * The bearer secret anycable-go sends (its --http_rpc_secret, or derived from --secret).
   * Default: ANYCABLE_HTTP_RPC_SECRET, else derived from ANYCABLE_SECRET. `null` accepts
   * unauthenticated requests: only for a server nobody else can reach.
   */
  secret?: string | null;
  /** Only `<mountPath>/connect|command|disconnect`; default any path ending in those (for routers that strip their prefix). */
  mountPath?: string;
  /** Largest request body in bytes; default ANYCABLE_RPC_MAX_MESSAGE_SIZE (16 MiB). */
  maxBodySize?: number;
  /** Where the defaults are read from; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** The built-in `CableReady::Stream` channel's secret; default read from `env` as startRpcServer reads it. */
  cableReady?: BuiltinChannelsOptions["cableReady"];
  /**
   * Replaces the framework's channels (by default `CableReady::Stream`, as startRpcServer serves
   * them); `[]` serves the application's channels only.
   */
  builtinChannels?: readonly ChannelClass[];
}

/**
 * AnyCable RPC over HTTP as a plain node:http request listener, to mount in an application's own
 * server (node:http, Express, Koa's `app.callback()` neighbour, Fastify's raw routes…) and point
 * anycable-go at it with `--rpc_host=http://<your server>/<mount path>`. It serves the same
 * built-in channels as startRpcServer (`CableReady::Stream`, unless the application defines it).
 *
 *     const rpc = createHttpRpcHandler({ app, broadcaster, logger });
 *     http.createServer((req, res) => (req.url?.startsWith("/_anycable/") ? rpc(req, res) : site(req, res)));
 */
export function createHttpRpcHandler(options: CreateHttpRpcHandlerOptions): NodeRequestListener {
  const env = options.env ?? process.env;
  const secret = options.secret === undefined ? loadHttpRpcSecret(env).secret : (options.secret ?? undefined);
  if (secret === undefined) {
    options.logger.warn(
      "HTTP RPC handler accepts requests without a secret: set ANYCABLE_HTTP_RPC_SECRET or ANYCABLE_SECRET beyond development",
    );
  }
  const handler = new RpcHandler({
    app: options.app,
    broadcaster: options.broadcaster,
    logger: options.logger,
    builtinChannels:
      options.builtinChannels ?? builtinChannels({ app: options.app, logger: options.logger, env, cableReady: options.cableReady }),
  });
  return createHttpRpcListener({
    handler,
    logger: options.logger,
    secret,
    maxBodySize: options.maxBodySize ?? loadRpcConfig({ ANYCABLE_RPC_MAX_MESSAGE_SIZE: env.ANYCABLE_RPC_MAX_MESSAGE_SIZE }).maxMessageSize,
    mountPath: options.mountPath?.replace(/\/+$/, ""),
  });
}
