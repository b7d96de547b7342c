import { startTcpRelay } from "./tcp-relay.js";

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
  const relay = await startTcpRelay(targetPort, {
    admit: () => isOpen,
    wire(client, upstream) {
      client.pipe(upstream);
      upstream.pipe(client);
    },
  });
  return {
    port: relay.port,
    shut: () => {
      isOpen = false;
    },
    open: () => {
      isOpen = true;
    },
    close: () => relay.close(),
  };
}
