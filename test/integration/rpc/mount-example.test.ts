// The README's mounting example as a user runs it: examples/mount-http-rpc.ts serves its own site
// and AnyCable RPC on one port, and a real anycable-go talks to it over HTTP RPC.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT, connectCable, freePort, openRawSocket, nodeChildEnv, spawnProcess, startAnycableGo } from "../../support/index.js";

const APP_SECRET = "example-app-secret";

describe("examples/mount-http-rpc.ts", () => {
  it("is what the README shows", () => {
    const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
    const shown = /\[examples\/mount-http-rpc\.ts\][\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(shown).toBeDefined();
    expect(readFileSync(join(REPO_ROOT, "examples/mount-http-rpc.ts"), "utf8")).toContain(shown);
  });

  it("serves the site and anycable-go's RPC from one node:http server", async () => {
    const port = await freePort();
    const anycable = await startAnycableGo({ rpcHost: `http://127.0.0.1:${port}/_anycable`, args: [`--secret=${APP_SECRET}`] });
    const site = await spawnProcess({
      name: "example",
      command: process.execPath,
      args: ["--import", "tsx", "examples/mount-http-rpc.ts"],
      cwd: REPO_ROOT,
      env: nodeChildEnv({
        PORT: String(port),
        ANYCABLE_SECRET: APP_SECRET,
        ANYCABLE_BROADCAST_ADAPTER: "http",
        ANYCABLE_HTTP_BROADCAST_URL: anycable.broadcastUrl ?? "",
      }),
    });
    try {
      await site.waitForOutput(/site listening/, 20_000);
      expect(await fetch(`http://127.0.0.1:${port}/`).then((r) => r.text())).toBe("Hello from the site\n");

      const client = await connectCable(`${anycable.url}?name=ann`);
      const greeter = await client.subscribe("GreeterChannel");
      await greeter.perform("greet", { greeting: "Hello" });
      expect(await greeter.waitForMessage()).toEqual({ reply: "Hello, ann" });
      await client.close();

      const nameless = await openRawSocket(anycable.url);
      expect(await nameless.waitForType("disconnect")).toEqual({ type: "disconnect", reason: "unauthorized", reconnect: false });

      // The handler is protected by the secret derived from ANYCABLE_SECRET.
      const forged = await fetch(`http://127.0.0.1:${port}/_anycable/connect`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ env: { url: "http://x/cable?name=mallory" } }),
      });
      expect(forged.status).toBe(401);

      expect(await site.stop({ signal: "SIGTERM", timeoutMs: 10_000 })).toEqual({ code: 0, signal: null });
    } finally {
      await site.stop();
      await anycable.stop();
    }
  });
});
