import { connect, createServer, type Socket } from "node:net";

import { LOOPBACK, listenOnLoopback } from "./ports.js";

export interface TcpRelay {
  port: number;
  /** Destroys every connection the relay holds, then stops listening. */
  close(): Promise<void>;
}

export interface TcpRelayOptions {
  /** Asked for each new connection; one refused is accepted and dropped at once. Default: all admitted. */
  admit?: () => boolean;
  /** Sets what flows between an admitted client and its own connection to the target. */
  wire(client: Socket, upstream: Socket): void;
}

/**
 * The common part of the tests' TCP proxies: a loopback server that pairs each connection it
 * accepts with a fresh one to `targetPort`, drops both as soon as either goes, and closes
 * everything it opened on close(). What crosses between the two is the proxy's own (`wire`).
 */
export async function startTcpRelay(targetPort: number, options: TcpRelayOptions): Promise<TcpRelay> {
  const sockets = new Set<Socket>();
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  };
  const server = createServer((client) => {
    track(client);
    if (options.admit && !options.admit()) {
      client.destroy();
      return;
    }
    const upstream = connect(targetPort, LOOPBACK);
    track(upstream);
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
    options.wire(client, upstream);
  });
  const port = await listenOnLoopback(server);
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
