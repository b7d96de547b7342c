import { createServer, Socket, type Server } from "node:net";

export const LOOPBACK = "127.0.0.1";

// Ports this process has already handed out. The kernel may hand the same
// ephemeral port to two quick bind(0) calls once the first is closed; a test
// asking for three ports must get three different ones.
const handedOut = new Set<number>();

function bindEphemeral(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === "object") resolve(address.port);
        else reject(new Error(`could not read the port bound on ${host}`));
      });
    });
  });
}

/** Starts `server` on an ephemeral loopback port and returns the port: no window for another process to take it. */
export async function listenOnLoopback(server: Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, LOOPBACK, () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address !== "object") throw new Error("could not read the port bound on loopback");
  return address.port;
}

/**
 * A TCP port on `host` that nothing listens on right now. There is an
 * unavoidable window between this check and the real server binding it;
 * startAnycableGo() retries on "address already in use" for that reason.
 */
export async function freePort(host: string = LOOPBACK): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await bindEphemeral(host);
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`freePort: no unused ephemeral port found on ${host} after 50 attempts`);
}

/** `count` distinct free ports. */
export async function freePorts(count: number, host: string = LOOPBACK): Promise<number[]> {
  const ports: number[] = [];
  for (let i = 0; i < count; i++) ports.push(await freePort(host));
  return ports;
}

/** Whether something accepts TCP connections on host:port. */
export function isPortOpen(port: number, host: string = LOOPBACK, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (open: boolean): void => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
    socket.connect(port, host);
  });
}

/**
 * Connects to host:port, optionally writes `send`, and resolves with what the
 * peer sent once it matches `until` (e.g. a Redis "+PONG" or a NATS "INFO").
 * Rejects on connection errors, on close, or after `timeoutMs`.
 */
export function tcpExchange(port: number, options: { host?: string; send?: string; until: RegExp; timeoutMs?: number }): Promise<string> {
  const { host = LOOPBACK, send, until, timeoutMs = 2_000 } = options;
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    let received = "";
    const finish = (error?: Error): void => {
      socket.destroy();
      if (error) reject(error);
      else resolve(received);
    };
    socket.setEncoding("utf8");
    socket.setTimeout(timeoutMs, () =>
      finish(new Error(`no answer matching ${until} from ${host}:${port} within ${timeoutMs} ms (got ${JSON.stringify(received)})`)),
    );
    socket.once("error", (error) => finish(error));
    socket.once("close", () => finish(new Error(`${host}:${port} closed the connection (got ${JSON.stringify(received)})`)));
    socket.on("data", (chunk: string) => {
      received += chunk;
      if (until.test(received)) finish();
    });
    socket.connect(port, host, () => {
      if (send !== undefined) socket.write(send);
    });
  });
}
