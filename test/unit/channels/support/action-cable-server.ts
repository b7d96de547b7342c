// A loopback WebSocket server that plays anycable-go's side of the Action Cable protocol for the
// bridge's CallCable unit tests: each connection is handed to a script that answers as the test
// needs (welcome, confirm, refuse, stall, disconnect), and every frame the bridge sends is kept.
import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import { WebSocketServer, type ServerOptions, type WebSocket } from "ws";

export interface CableConnection {
  ws: WebSocket;
  /** The upgrade request as the bridge sent it (headers, Origin, extensions offered). */
  request: IncomingMessage;
  /** Text frames received from the bridge, in order. */
  received: string[];
  /** Resolves with the close code and reason once the server side of the socket has closed. */
  closed: Promise<{ code: number; reason: string }>;
  /** Stops reading from the socket, as an anycable-go that fell behind: the bridge's writes back up. */
  stallReading(): void;
  resumeReading(): void;
}

export interface CableServer {
  url: string;
  /** Every connection so far, in order. */
  connections: CableConnection[];
  close(): Promise<void>;
}

export async function startCableServer(
  script: (connection: CableConnection) => void,
  options: Omit<ServerOptions, "port" | "host" | "server" | "noServer"> = {},
): Promise<CableServer> {
  const server = new WebSocketServer({ ...options, port: 0, host: "127.0.0.1" });
  await new Promise((resolve) => server.once("listening", resolve));
  const connections: CableConnection[] = [];
  server.on("connection", (ws, request) => {
    const socket = (ws as unknown as { _socket: Socket })._socket;
    const received: string[] = [];
    ws.on("message", (data, isBinary) => {
      if (!isBinary) received.push(data.toString());
    });
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      ws.once("close", (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    const connection: CableConnection = {
      ws,
      request,
      received,
      closed,
      stallReading: () => socket.pause(),
      resumeReading: () => socket.resume(),
    };
    connections.push(connection);
    script(connection);
  });
  const { port } = server.address() as { port: number };
  return {
    url: `ws://127.0.0.1:${port}/cable`,
    connections,
    close: async () => {
      for (const client of server.clients) client.terminate();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** anycable-go's usual answers: the welcome at once, then a confirmation for each subscribe. */
export function welcomeAndConfirm(ws: WebSocket): void {
  ws.send(JSON.stringify({ type: "welcome" }));
  ws.on("message", (data) => {
    const frame = JSON.parse(data.toString()) as { command?: string; identifier?: string };
    if (frame.command === "subscribe") ws.send(JSON.stringify({ identifier: frame.identifier, type: "confirm_subscription" }));
  });
}

/** The `data` of each perform frame received, parsed. */
export function performs(received: readonly string[]): Array<Record<string, unknown>> {
  return received
    .map((frame) => JSON.parse(frame) as { command: string; data?: string })
    .filter((frame) => frame.command === "message")
    .map((frame) => JSON.parse(frame.data!) as Record<string, unknown>);
}
