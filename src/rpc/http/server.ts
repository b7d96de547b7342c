import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import type { RpcConfig } from "../../config/rpc-config.js";
import type { RpcHandler } from "../handler.js";
import { createHttpRpcListener } from "./listener.js";

export interface HttpRpcServerOptions {
  handler: RpcHandler;
  config: RpcConfig;
  logger: Logger;
}

/** What `GET /health` says, as the gRPC health service would: SERVING, or NOT_SERVING while draining. */
const HEALTH_PATH = "/health";

// anycable-go's HTTP client keeps idle connections with no time limit of its own. Node closing
// one just as anycable-go reuses it fails that request, so idle connections stay open far longer
// than node's 5 s default.
const KEEP_ALIVE_TIMEOUT_MS = 5 * 60_000;
// anycable-go gives up on a call after its --http_rpc_timeout (3 s by default); a request still
// arriving after this is not anycable-go's, and holding it open is only a cost.
const REQUEST_TIMEOUT_MS = 30_000;
const HEADERS_TIMEOUT_MS = 10_000;

/**
 * The standalone HTTP RPC server behind `npm run rpc` with an `http://` ANYCABLE_RPC_HOST.
 * Shutdown drains like the gRPC server: health turns NOT_SERVING, no new connections are
 * accepted, requests in flight finish, and idle connections close so anycable-go retries
 * elsewhere (a refused connection is Unavailable to it, which it retries).
 */
export class HttpRpcServer {
  readonly #server: Server;
  readonly #config: RpcConfig;
  readonly #logger: Logger;
  #inFlight = 0;
  #draining = false;
  /** Responses not yet finished: told to close their connection when the drain starts. */
  readonly #open = new Set<ServerResponse>();
  #port: number | undefined;
  #shutdown: Promise<void> | undefined;

  constructor(options: HttpRpcServerOptions) {
    this.#config = options.config;
    this.#logger = options.logger;
    const rpc = createHttpRpcListener({
      handler: options.handler,
      logger: options.logger,
      secret: options.config.http.secret,
      maxBodySize: options.config.maxMessageSize,
      mountPath: options.config.http.mountPath,
      onRequest: (event) => {
        this.#inFlight += event === "start" ? 1 : -1;
      },
    });
    this.#server = createServer({ keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS }, (req, res) => {
      // Connections kept alive from before the drain close after their current response.
      if (this.#draining) res.setHeader("Connection", "close");
      this.#open.add(res);
      res.once("close", () => this.#open.delete(res));
      if (req.url === HEALTH_PATH && (req.method === "GET" || req.method === "HEAD")) {
        const serving = !this.#draining;
        res.writeHead(serving ? 200 : 503, { "Content-Type": "application/json" });
        res.end(JSON.stringify({ status: serving ? "SERVING" : "NOT_SERVING" }));
        return;
      }
      rpc(req, res);
    });
    this.#server.headersTimeout = HEADERS_TIMEOUT_MS;
  }

  /** Binds `config.host` (port 0 picks a free one) and starts serving; resolves with the bound port. */
  async start(): Promise<number> {
    const { hostname, port } = splitHostPort(this.#config.host);
    await new Promise<void>((resolve, reject) => {
      const failed = (error: Error): void => reject(new Error(`Cannot listen on ${this.#config.host}: ${error.message}`));
      this.#server.once("error", failed);
      this.#server.listen(port, hostname, () => {
        this.#server.off("error", failed);
        resolve();
      });
    });
    this.#port = (this.#server.address() as AddressInfo).port;
    this.#logger.info(
      {
        host: this.#config.host,
        port: this.#port,
        mountPath: this.#config.http.mountPath || "/",
        auth: this.#config.http.secretSource,
      },
      "AnyCable HTTP RPC server listening",
    );
    if (this.#config.http.secret === undefined) {
      this.#logger.warn("HTTP RPC accepts requests without a secret: set ANYCABLE_HTTP_RPC_SECRET or ANYCABLE_SECRET beyond development");
    }
    return this.#port;
  }

  get port(): number | undefined {
    return this.#port;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /** Drains and stops; requests still running after the shutdown timeout are cut. Idempotent. */
  shutdown(): Promise<void> {
    this.#shutdown ??= new Promise<void>((resolve) => {
      this.#draining = true;
      for (const res of this.#open) if (!res.headersSent) res.setHeader("Connection", "close");
      this.#logger.info({ inFlight: this.#inFlight }, "draining RPC server");
      const deadline = Date.now() + this.#config.shutdownTimeoutSeconds * 1000;
      this.#server.close();
      this.#server.closeIdleConnections();
      let idleSince: number | undefined;
      const poll = setInterval(() => {
        // Responses are written after the handler returns; a short grace lets them flush.
        if (this.#inFlight === 0) {
          idleSince ??= Date.now();
          if (Date.now() - idleSince < 200) return;
        } else {
          idleSince = undefined;
          if (Date.now() < deadline) return;
          this.#logger.warn({ inFlight: this.#inFlight }, "shutdown timeout reached, cutting remaining requests");
        }
        clearInterval(poll);
        this.#server.closeAllConnections();
        this.#logger.info("RPC server stopped");
        resolve();
      }, 20);
    });
    return this.#shutdown;
  }
}

function splitHostPort(hostPort: string): { hostname: string; port: number } {
  const colon = hostPort.lastIndexOf(":");
  return { hostname: hostPort.slice(0, colon).replace(/^\[|\]$/g, ""), port: Number(hostPort.slice(colon + 1)) };
}
