import type { Socket } from "node:net";

import { startTcpRelay } from "./tcp-relay.js";

export interface ReplyHoldingProxy {
  port: number;
  /** Everything the clients have sent so far, as text (requests are forwarded at once). */
  readonly sent: string;
  /** From now on the server's replies wait in the proxy until release(). */
  hold(): void;
  /** Hands over every held reply, in order, and stops holding. */
  release(): void;
  close(): Promise<void>;
}

/**
 * A TCP pass-through that can hold back the server's replies while the client's requests still
 * go through. How many requests a client sends before its first reply arrives is how many round
 * trips it saved: a client that waits for each reply before the next request sends one.
 */
export async function startReplyHoldingProxy(targetPort: number): Promise<ReplyHoldingProxy> {
  let holding = false;
  let sent = "";
  const held: Array<{ client: Socket; chunk: Buffer }> = [];
  const relay = await startTcpRelay(targetPort, {
    wire(client, upstream) {
      client.on("data", (chunk: Buffer) => {
        sent += chunk.toString("latin1");
        upstream.write(chunk);
      });
      upstream.on("data", (chunk: Buffer) => {
        if (holding) held.push({ client, chunk });
        else client.write(chunk);
      });
    },
  });
  return {
    port: relay.port,
    get sent() {
      return sent;
    },
    hold: () => {
      holding = true;
    },
    release: () => {
      holding = false;
      for (const { client, chunk } of held.splice(0)) client.write(chunk);
    },
    close: () => relay.close(),
  };
}
