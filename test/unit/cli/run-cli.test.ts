// The `anycable-ts` command run in-process on a process the test drives: arguments, output, exit
// codes, and the serve wiring from environment to a listening server stopped by SIGTERM.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runCli, USAGE } from "../../../src/cli/run-cli.js";
import { serve } from "../../../src/cli/serve.js";
import { REPO_ROOT } from "../../support/binaries.js";
import { captureLogger } from "../../support/capture-logger.js";
import { FakeProcess } from "../../support/fake-process.js";
import { freePort } from "../../support/ports.js";
import { waitFor } from "../../support/wait.js";

const FATAL = 60;

async function cli(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const host = new FakeProcess(env);
  const code = await runCli(argv, host);
  return { code, out: host.out, err: host.err };
}

describe("anycable-ts arguments", () => {
  it.each([["--help"], ["-h"]])("%s prints the usage on stdout and exits 0", async (flag) => {
    expect(await cli([flag])).toEqual({ code: 0, out: `${USAGE}\n`, err: "" });
    expect(USAGE).toMatch(/anycable-ts health-check/);
  });

  it.each([["--version"], ["-v"]])("%s prints the package's version and exits 0", async (flag) => {
    const { version } = JSON.parse(readFileSync(`${REPO_ROOT}/package.json`, "utf8")) as { version: string };
    expect(await cli([flag])).toEqual({ code: 0, out: `${version}\n`, err: "" });
  });

  it("refuses an unknown option with parseArgs' message and a pointer to --help, exit 2", async () => {
    const { code, out, err } = await cli(["--port", "50051"]);
    expect(code).toBe(2);
    expect(out).toBe("");
    expect(err).toMatch(/^Unknown option '--port'.*\n\nRun anycable-ts --help for usage\.\n$/s);
  });

  it("asks for the application module when there is none, argument or ANYCABLE_APP, exit 2", async () => {
    expect(await cli([])).toEqual({ code: 2, out: "", err: `Missing the application module.\n\n${USAGE}\n` });
    expect(await cli(["serve"], { ANYCABLE_APP: "" })).toEqual({ code: 2, out: "", err: `Missing the application module.\n\n${USAGE}\n` });
  });

  it.each([[["app.js", "extra.js"]], [["serve", "app.js", "extra.js"]]])("refuses extra arguments %j, exit 2", async (argv) => {
    expect(await cli(argv)).toEqual({ code: 2, out: "", err: `Too many arguments.\n\n${USAGE}\n` });
  });

  it("takes the module from ANYCABLE_APP and reports every configuration problem at once, exit 1", async () => {
    const { code, err } = await cli([], {
      ANYCABLE_APP: "test/fixtures/chat-app.ts",
      ANYCABLE_RPC_HOST: "not-an-address",
      ANYCABLE_BROADCAST_ADAPTER: "kafka",
      ANYCABLE_LOG_LEVEL: "silent",
    });
    expect(code).toBe(1);
    expect(err).toContain("Invalid RPC server configuration:\n  ANYCABLE_RPC_HOST: expected host:port");
    expect(err).toMatch(/ANYCABLE_BROADCAST_ADAPTER/);
  });

  it("offers the module's own broadcast adapters beside the built-in ones, exit 1 on an unknown name", async () => {
    const { code, err } = await cli(["test/fixtures/audited-chat-app.ts"], {
      ANYCABLE_BROADCAST_ADAPTER: "kafka",
      ANYCABLE_LOG_LEVEL: "silent",
    });
    expect(code).toBe(1);
    expect(err).toContain(
      'ANYCABLE_BROADCAST_ADAPTER: unknown broadcast adapter "kafka"; expected one of nats, redis, redisx, http, audited-http',
    );
  });

  it("refuses a module whose broadcastAdapters are not adapters, naming the module and the culprit, exit 1", async () => {
    const host = new FakeProcess({ ANYCABLE_BROADCAST_ADAPTER: "http" });
    const logs = captureLogger();
    expect(await serve("test/fixtures/misdeclared-adapter-app.ts", host, logs.logger)).toBe(1);
    expect(logs.lines).toEqual([]); // a configuration problem: printed plainly, not logged as a crash
    expect(host.err).toContain(
      "test/fixtures/misdeclared-adapter-app.ts: broadcastAdapters[0] is not a broadcast adapter: its createTransport must be a function",
    );
  });

  it("says which module is missing, exit 1", async () => {
    const { code, err } = await cli(["serve", "test/fixtures/no-such-app.ts"], { ANYCABLE_LOG_LEVEL: "silent" });
    expect(code).toBe(1);
    expect(err).toBe(`Cannot load test/fixtures/no-such-app.ts: no such file (looked for ${REPO_ROOT}/test/fixtures/no-such-app.ts)\n`);
  });
});

describe("anycable-ts <app-module>", () => {
  const TRANSPORTS = [
    { name: "gRPC", rpcHost: (port: number) => `127.0.0.1:${port}` },
    { name: "HTTP RPC", rpcHost: (port: number) => `http://127.0.0.1:${port}/_anycable` },
  ];

  it.each(TRANSPORTS)("serves the module over $name until SIGTERM, healthy meanwhile, then exits 0", async ({ rpcHost }) => {
    const port = await freePort();
    const env = {
      ANYCABLE_RPC_HOST: rpcHost(port),
      ANYCABLE_BROADCAST_ADAPTER: "http",
      ANYCABLE_HTTP_BROADCAST_URL: "http://127.0.0.1:9/_broadcast",
      ANYCABLE_LOG_LEVEL: "silent",
    };
    const server = new FakeProcess(env);
    const serving = runCli(["serve", "test/fixtures/chat-app.ts"], server);

    const probe = await waitFor(
      async () => {
        const result = await cli(["health-check"], env);
        return result.code === 0 ? result : undefined;
      },
      { description: "health-check to report SERVING", failIf: () => server.exits.length > 0 && server.err },
    );
    expect(probe.out).toBe(`anycable.RPC at 127.0.0.1:${port}: SERVING\n`);

    server.signal("SIGTERM");
    expect(await serving).toBe(0);
    expect(server.exitCode).toBe(0);
    expect((await cli(["health-check"], env)).code).toBe(1);
  });

  it("logs a module that is no application as fatal, exit 1", async () => {
    const host = new FakeProcess({ ANYCABLE_RPC_HOST: `127.0.0.1:${await freePort()}`, ANYCABLE_BROADCAST_ADAPTER: "http" });
    const logs = captureLogger();
    expect(await serve("test/fixtures/recording-broadcaster.ts", host, logs.logger)).toBe(1);
    expect(host.err).toBe("");
    expect(logs.lines.filter((l) => l.level === FATAL).map((l) => l.msg)).toEqual([
      expect.stringMatching(/^cannot start: test\/fixtures\/recording-broadcaster\.ts must default-export defineApplication/),
    ]);
  });
});
