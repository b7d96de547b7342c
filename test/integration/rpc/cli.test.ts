// `npm run rpc` as a process: configured from the environment, in front of anycable-go, stopped by SIGTERM.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT, connectCable, freePort, nodeChildEnv, spawnProcess, startAnycableGo, waitFor } from "../../support/index.js";

// Straight under node with tsx's loader, as the npm scripts run it: the tsx CLI wrapper turns a
// SIGTERM the child is slow to acknowledge into SIGKILL, which would skip the drain under load.
const NODE = process.execPath;
const TS = ["--import", "tsx"];

async function startCli(env: Record<string, string>, app = "test/fixtures/chat-app.ts") {
  return spawnProcess({
    name: "rpc",
    command: NODE,
    args: [...TS, "src/cli/main.ts", app],
    cwd: REPO_ROOT,
    env: nodeChildEnv(env),
  });
}

const APP_SECRET = "cli-app-secret";

// Both transports, configured as a deployment would be: gRPC by host:port; HTTP RPC by the same
// http:// URL anycable-go's --rpc_host takes, with the secret both halves derive from ANYCABLE_SECRET.
const TRANSPORTS = [
  {
    name: "gRPC",
    listening: /AnyCable RPC server listening/,
    rpcHost: (port: number) => `127.0.0.1:${port}`,
    anycableArgs: [] as string[],
    env: {} as Record<string, string>,
  },
  {
    name: "HTTP RPC",
    listening: /AnyCable HTTP RPC server listening/,
    rpcHost: (port: number) => `http://127.0.0.1:${port}/_anycable`,
    anycableArgs: [`--secret=${APP_SECRET}`],
    env: { ANYCABLE_SECRET: APP_SECRET } as Record<string, string>,
  },
];

describe("npm run rpc", () => {
  it.each(TRANSPORTS)("serves anycable-go over $name and exits 0 on SIGTERM after draining", async (transport) => {
    const port = await freePort();
    const anycable = await startAnycableGo({ rpcHost: transport.rpcHost(port), args: transport.anycableArgs });
    const rpc = await startCli({
      ...transport.env,
      ANYCABLE_RPC_HOST: transport.rpcHost(port),
      ANYCABLE_BROADCAST_ADAPTER: "http",
      ANYCABLE_HTTP_BROADCAST_URL: anycable.broadcastUrl ?? "",
    });
    try {
      await rpc.waitForOutput(transport.listening, 20_000);
      const client = await connectCable(anycable.url, { headers: { cookie: "user=ann" } });
      const echo = await client.subscribe("EchoChannel");
      await echo.perform("echo", { text: "through the broker" });
      // transmitted directly and broadcast through anycable-go's HTTP broadcaster
      expect(await echo.waitForMessages(2)).toEqual(
        expect.arrayContaining([{ echo: "through the broker" }, { text: "through the broker" }]),
      );
      // A rejected promise the application never awaited is logged, and the server keeps serving.
      const room = await client.subscribe("chat", { room: "careless" });
      await room.perform("forget");
      await room.perform("speak", { message: "still serving" });
      expect(await room.waitForMessages(2)).toEqual([{ forgot: true }, { from: "ann", message: "still serving" }]);
      // Logged when the rejection goes unhandled and written asynchronously: waited for, not assumed.
      await rpc.waitForOutput(/unhandled promise rejection \(a promise nobody awaited\): nobody awaited this/, 10_000);
      expect(rpc.isRunning()).toBe(true);
      await client.close();
      const exit = await rpc.stop({ signal: "SIGTERM", timeoutMs: 10_000 });
      expect(exit).toEqual({ code: 0, signal: null });
      expect(rpc.logs()).toMatch(/RPC server stopped/);
    } finally {
      await rpc.stop();
      await anycable.stop();
    }
  });

  it("refuses to start with a readable message when the environment is wrong", async () => {
    const rpc = await startCli({ ANYCABLE_RPC_HOST: "not-an-address", ANYCABLE_BROADCAST_ADAPTER: "kafka" });
    const exit = await rpc.exited;
    expect(exit.code).toBe(1);
    expect(rpc.logs()).toContain("Invalid RPC server configuration:\n  ANYCABLE_RPC_HOST: expected host:port");
    expect(rpc.logs()).toMatch(/ANYCABLE_BROADCAST_ADAPTER/);
  });

  it("says so clearly when the application module is not an application", async () => {
    const port = await freePort();
    const rpc = await spawnProcess({
      name: "rpc",
      command: NODE,
      args: [...TS, "src/cli/main.ts", "test/fixtures/recording-broadcaster.ts"],
      cwd: REPO_ROOT,
      env: nodeChildEnv({ ANYCABLE_RPC_HOST: `127.0.0.1:${port}`, ANYCABLE_BROADCAST_ADAPTER: "http" }),
    });
    const exit = await rpc.exited;
    expect(exit.code).toBe(1);
    expect(rpc.logs()).toMatch(/must default-export defineApplication/);
  });
});

// An application module that exports `broadcastAdapters` beside its default export: the adapter
// (test/fixtures/audited-http-adapter.ts) posts to anycable-go's HTTP broadcast endpoint and keeps
// an audit file. The built-in http adapter is left pointing nowhere, so a broadcast that reaches
// the client went through the application's own adapter.
describe("npm run rpc with the application's own broadcast adapter", () => {
  const AUDITED_APP = "test/fixtures/audited-chat-app.ts";

  it("selects it by ANYCABLE_BROADCAST_ADAPTER and delivers broadcasts through it to anycable-go's clients", async () => {
    const dir = await mkdtemp(join(tmpdir(), "cli-adapter-"));
    const auditFile = join(dir, "audit.jsonl");
    const port = await freePort();
    const anycable = await startAnycableGo({ rpcHost: `127.0.0.1:${port}` });
    const rpc = await startCli(
      {
        ANYCABLE_RPC_HOST: `127.0.0.1:${port}`,
        ANYCABLE_BROADCAST_ADAPTER: "Audited-HTTP",
        AUDITED_BROADCAST_URL: anycable.broadcastUrl ?? "",
        AUDITED_BROADCAST_FILE: auditFile,
      },
      AUDITED_APP,
    );
    try {
      await rpc.waitForOutput(/AnyCable RPC server listening/, 20_000);
      expect(rpc.logs()).toContain(`broadcasting via audited HTTP broadcast at ${anycable.broadcastUrl} (audited in ${auditFile})`);
      const client = await connectCable(anycable.url, { headers: { cookie: "user=ann" } });
      const echo = await client.subscribe("EchoChannel");
      await echo.perform("echo", { text: "through my adapter" });
      expect(await echo.waitForMessages(2)).toEqual(
        expect.arrayContaining([{ echo: "through my adapter" }, { text: "through my adapter" }]),
      );
      // Audited once anycable-go has taken it, so possibly just after the client got it.
      const audit = await waitFor(() => readFile(auditFile, "utf8"), { description: "the audit file" });
      expect(audit).toBe(`${JSON.stringify({ stream: "echo", data: JSON.stringify({ text: "through my adapter" }) })}\n`);
      await client.close();
      expect(await rpc.stop({ signal: "SIGTERM", timeoutMs: 10_000 })).toEqual({ code: 0, signal: null });
    } finally {
      await rpc.stop();
      await anycable.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("lists the module's adapters beside the built-in ones when the name matches none", async () => {
    const rpc = await startCli({ ANYCABLE_RPC_HOST: `127.0.0.1:${await freePort()}`, ANYCABLE_BROADCAST_ADAPTER: "kafka" }, AUDITED_APP);
    expect((await rpc.exited).code).toBe(1);
    expect(rpc.logs()).toContain(
      'ANYCABLE_BROADCAST_ADAPTER: unknown broadcast adapter "kafka"; expected one of nats, redis, redisx, http, audited-http',
    );
  });

  it("refuses a module whose broadcastAdapters are not adapters, naming the module and the culprit", async () => {
    const rpc = await startCli(
      { ANYCABLE_RPC_HOST: `127.0.0.1:${await freePort()}`, ANYCABLE_BROADCAST_ADAPTER: "http" },
      "test/fixtures/misdeclared-adapter-app.ts",
    );
    expect((await rpc.exited).code).toBe(1);
    expect(rpc.logs()).toContain(
      "test/fixtures/misdeclared-adapter-app.ts: broadcastAdapters[0] is not a broadcast adapter: its createTransport must be a function",
    );
  });
});
