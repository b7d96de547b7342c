import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import type { RpcConfig } from "../../config/rpc-config.js";
import type { RpcHandler } from "../handler.js";
import { TransportServer } from "../transport-server.js";
import { createHttpRpcListener } from "./listener.js";
import { requestPath } from "./request-path.js";

export interface HttpRpcServerOptions {
  handler: RpcHandler;
  config: RpcConfig;
  logger: Logger;
}

/**
 * What `GET /health` says, as the gRPC health service would: SERVING, or NOT_SERVING while draining.
 * Its query is ignored (a probe's cache buster, `?full=1`), as anycable-go's own `/health` does.
 * The drain closes the listener at once (as grpc-js's tryShutdown and anycable-go's own server do),
 * so a load balancer's next probe is refused, a failed check like the 503; the 503 is what a probe
 * already on an open connection reads. RPC paths never answer 503: anycable-go would take it as an
 * Unknown error and not retry, while it retries a refused connection (Unavailable).
 */
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
 * Shutdown drains like the gRPC server (see TransportServer): health turns NOT_SERVING, no new
 * connections are accepted, requests in flight finish, and idle connections close so anycable-go
 * retries elsewhere (a refused connection is Unavailable to it, which it retries).
 */
export class HttpRpcServer extends TransportServer {
  readonly #server: Server;
  #draining = false;
  /** Responses not yet finished: told to close their connection when the drain starts. */
  readonly #open = new Set<ServerResponse>();

  constructor(options: HttpRpcServerOptions) {
    super(options.config, options.logger);
    const rpc = createHttpRpcListener({
      handler: options.handler,
      logger: options.logger,
      secret: options.config.http.secret,
      maxBodySize: options.config.maxMessageSize,
      mountPath: options.config.http.mountPath,
      onRequest: (event) => (event === "start" ? this.callStarted() : this.callEnded()),
    });
    this.#server = createServer({ keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS }, (req, res) => {
      // Connections kept alive from before the drain close after their current response.
      if (this.#draining) res.setHeader("Connection", "close");
      this.#open.add(res);
      res.once("close", () => this.#open.delete(res));
      if (requestPath(req.url ?? "/") === HEALTH_PATH && (req.method === "GET" || req.method === "HEAD")) {
        const serving = !this.#draining;
        res.writeHead(serving ? 200 : 503, { "Content-Type": "application/json" });
        res.end(JSON.stringify({ status: serving ? "SERVING" : "NOT_SERVING" }));
        return;
      }
      rpc(req, res);
    });
    this.#server.headersTimeout = HEADERS_TIMEOUT_MS;
  }

  protected async listen(host: string): Promise<number> {
    const { hostname, port } = splitHostPort(host);
    await new Promise<void>((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(port, hostname, () => {
        this.#server.off("error", reject);
        resolve();
      });
    });
    const bound = (this.#server.address() as AddressInfo).port;
    const { mountPath, secret, secretSource } = this.config.http;
    this.logger.info({ host, port: bound, mountPath: mountPath || "/", auth: secretSource }, "AnyCable HTTP RPC server listening");
    if (secret === undefined) {
      this.logger.warn("HTTP RPC accepts requests without a secret: set ANYCABLE_HTTP_RPC_SECRET or ANYCABLE_SECRET beyond development");
    }
    return bound;
  }

  protected stopAccepting(): void {
    this.#draining = true;
    for (const res of this.#open) if (!res.headersSent) res.setHeader("Connection", "close");
    // close() also closes the idle kept-alive connections (Node >= 19).
    this.#server.close();
  }

  protected closeNow(): void {
    this.#server.closeAllConnections();
  }
}

function splitHostPort(hostPort: string): { hostname: string; port: number } {
  const colon = hostPort.lastIndexOf(":");
  return { hostname: hostPort.slice(0, colon).replace(/^\[|\]$/g, ""), port: Number(hostPort.slice(colon + 1)) };
}
