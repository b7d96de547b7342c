// RPC over HTTP inside your own node:http server: the site and AnyCable's RPC share one process
// and one port, and anycable-go is pointed at it with
//   anycable-go --rpc_host=http://127.0.0.1:3000/_anycable --secret=$ANYCABLE_SECRET
// Run: ANYCABLE_SECRET=… PORT=3000 node --import tsx examples/mount-http-rpc.ts
import { createServer } from "node:http";
import {
  Channel,
  Connection,
  createBroadcaster,
  createHttpRpcHandler,
  createLogger,
  defineApplication,
  loadBroadcastConfig,
  onShutdownSignal,
  z,
} from "anycable-ts";

class GuestConnection extends Connection<{ name: string }> {
  static override identifiers = z.object({ name: z.string().min(1) });

  override connect(): void {
    const name = this.request.params.get("name");
    if (!name) this.rejectUnauthorizedConnection("a name is required");
    this.identifiedBy({ name });
  }
}

class GreeterChannel extends Channel<Record<string, never>, GuestConnection> {
  static override identifier = "GreeterChannel";
  static override actions = { greet: z.object({ greeting: z.string().max(100) }) };

  greet({ greeting }: { greeting: string }): void {
    this.transmit({ reply: `${greeting}, ${this.identifiers.name}` });
  }
}

const logger = createLogger({ name: "site" });
const broadcaster = createBroadcaster(loadBroadcastConfig(), logger);
const app = defineApplication({ connection: GuestConnection, channels: [GreeterChannel] });

// The secret comes from ANYCABLE_HTTP_RPC_SECRET, or is derived from ANYCABLE_SECRET as anycable-go derives it.
const anycableRpc = createHttpRpcHandler({ app, broadcaster, logger });

const server = createServer((req, res) => {
  if (req.url?.startsWith("/_anycable/")) return anycableRpc(req, res);
  res.writeHead(200, { "Content-Type": "text/plain" });
  res.end("Hello from the site\n");
});

server.listen(Number(process.env.PORT ?? 3000), "127.0.0.1", () => logger.info({ port: process.env.PORT ?? 3000 }, "site listening"));
onShutdownSignal({
  onStop() {
    server.close(() => void broadcaster.close());
    // anycable-go keeps its connections alive; idle ones would hold close() open.
    server.closeIdleConnections();
  },
});
