import { connect, createServer, type Socket } from "node:net";

import { LOOPBACK, listenOnLoopback } from "./ports.js";

export interface GateProxy {
  port: number;
  /** New connections are refused (accepted, then dropped at once) until open() is called. */
  shut(): void;
  open(): void;
  close(): Promise<void>;
}

/**
 * A TCP pass-through to a loopback port that the test can shut. Pub/Sub delivers only to whoever
 * is subscribed at that instant, so after restarting a broker the test must resubscribe its
 * listener before the publisher reconnects; this gate decides which one gets in first. The broker
 * itself is really stopped and restarted; the proxy forwards bytes untouched and drops its side
 * of a connection as soon as the other side goes away.
 */
export async function startGateProxy(targetPort: number): Promise<GateProxy> {
  let isOpen = true;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    sockets.add(client);
    client.on("close", () => sockets.delete(client));
    if (!isOpen) {
      client.destroy();
      return;
    }
    const upstream = connect(targetPort, LOOPBACK);
    sockets.add(upstream);
    upstream.on("close", () => sockets.delete(upstream));
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  const port = await listenOnLoopback(server);
  return {
    port,
    shut: () => {
      isOpen = false;
    },
    open: () => {
      isOpen = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
