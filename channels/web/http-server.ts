import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createAdaptorServer } from "@hono/node-server";

export interface StartHttpServerOptions {
  /** A fetch-style handler, e.g. a Hono app's `app.fetch`. */
  fetch: (request: globalThis.Request) => Response | Promise<Response>;
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** How long close() lets requests in flight finish before cutting connections. Default 2 s. */
  closeGraceMs?: number;
}

export interface RunningHttpServer {
  /** http://host:port, with the port actually bound. */
  readonly url: string;
  readonly port: number;
  /** Stops accepting, lets requests in flight finish within the grace period, then closes every connection. Idempotent. */
  close(): Promise<void>;
}

/**
 * Serves a fetch handler over node:http and resolves once listening (rejects if the port is
 * taken). Browsers hold keep-alive connections open indefinitely, which would make a plain
 * server.close() wait forever; close() here is bounded.
 */
export function startHttpServer(options: StartHttpServerOptions): Promise<RunningHttpServer> {
  const server = createAdaptorServer({ fetch: options.fetch }) as Server;
  const graceMs = options.closeGraceMs ?? 2_000;
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      const { port } = server.address() as AddressInfo;
      const host = options.host.includes(":") ? `[${options.host}]` : options.host;
      let closing: Promise<void> | undefined;
      resolve({
        url: `http://${host}:${port}`,
        port,
        close() {
          closing ??= new Promise<void>((done) => {
            const force = setTimeout(() => server.closeAllConnections(), graceMs);
            server.close(() => {
              clearTimeout(force);
              done();
            });
            server.closeIdleConnections();
          });
          return closing;
        },
      });
    });
  });
}
