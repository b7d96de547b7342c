// SIGTERM while a call is in flight: the broadcasts that call makes after its answer still reach
// a subscriber, through the real CLI process, anycable-go and a NATS broker.
import { describe, expect, it } from "vitest";
import { REPO_ROOT, connectCable, freePort, nodeChildEnv, spawnProcess, startAnycableGo, startNats } from "../../support/index.js";

// Straight under node with tsx's loader, as the npm scripts run it (see cli.test.ts).
const NODE = process.execPath;

describe("npm run rpc on SIGTERM", () => {
  it("hands over the broadcasts of the last calls, made after their answers, before closing the broadcaster", async () => {
    const nats = await startNats();
    const port = await freePort();
    const anycable = await startAnycableGo({
      rpcHost: `127.0.0.1:${port}`,
      broadcastAdapter: "nats",
      args: [`--nats_servers=${nats.url}`],
    });
    const rpc = await spawnProcess({
      name: "rpc",
      command: NODE,
      args: ["--import", "tsx", "src/cli/main.ts", "test/fixtures/late-broadcast-app.ts"],
      cwd: REPO_ROOT,
      env: nodeChildEnv({ ANYCABLE_RPC_HOST: `127.0.0.1:${port}`, ANYCABLE_BROADCAST_ADAPTER: "nats", ANYCABLE_NATS_SERVERS: nats.url }),
    });
    try {
      await rpc.waitForOutput(/AnyCable RPC server listening/, 20_000);
      const client = await connectCable(anycable.url, { headers: { cookie: "user=ann" } });
      const late = await client.subscribe("late");
      void late.perform("finish");
      await rpc.waitForOutput(/holding the call until the process is told to stop/, 10_000);

      expect(await rpc.stop({ signal: "SIGTERM", timeoutMs: 10_000 })).toEqual({ code: 0, signal: null });

      expect(rpc.logs()).toMatch(/draining RPC server/);
      expect(rpc.logs()).not.toMatch(/broadcaster is closed/);
      expect(await late.waitForMessages(2, 10_000)).toEqual([
        { sent: "at the end of the answering turn" },
        { sent: "by work that outlived the turn" },
      ]);
      await client.close();
    } finally {
      await rpc.stop();
      await anycable.stop();
      await nats.stop();
    }
  });
});
