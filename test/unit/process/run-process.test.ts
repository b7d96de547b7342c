// runProcess on a process the test drives: signals are emitted, the exit code and output are read.
import { afterEach, describe, expect, it, vi } from "vitest";
import { ConfigError } from "../../../src/config/errors.js";
import { runProcess, type RunningService, type RunProcessOptions } from "../../../src/process/run-process.js";
import { captureLogger } from "../../support/capture-logger.js";
import { FakeProcess } from "../../support/fake-process.js";

const FATAL = 60;

/** A service whose stop() the test settles, recording what was asked of it. */
function controlledService() {
  const calls: string[] = [];
  let settle!: { resolve: () => void; reject: (error: Error) => void };
  const stopped = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  const service: RunningService & { forceStop(): void } = {
    stop() {
      calls.push("stop");
      return stopped;
    },
    forceStop() {
      calls.push("forceStop");
    },
  };
  return { service, calls, finishStop: () => settle.resolve(), failStop: (error: Error) => settle.reject(error) };
}

function run(host: FakeProcess, start: RunProcessOptions["start"], extra: Partial<RunProcessOptions> = {}) {
  const logs = captureLogger();
  const exitCode = runProcess({ name: "test", process: host, logger: logs.logger, exitDelayMs: 0, start, ...extra });
  return { logs, exitCode };
}

/** Lets the start() promise and the signal subscription that follows it settle. */
const started = () => new Promise<void>((resolve) => setImmediate(resolve));

afterEach(() => {
  vi.useRealTimers();
});

describe("runProcess", () => {
  it("stops the service gracefully on SIGTERM, sets exit code 0 and then exits", async () => {
    const host = new FakeProcess();
    const { service, calls, finishStop } = controlledService();
    const { logs, exitCode } = run(host, async () => service);
    await started();
    expect(calls).toEqual([]);

    host.signal("SIGTERM");
    expect(calls).toEqual(["stop"]);
    expect(logs.at("info")).toEqual([expect.objectContaining({ signal: "SIGTERM", msg: "shutting down" })]);
    expect(host.exitCode).toBeUndefined(); // still draining
    finishStop();

    expect(await exitCode).toBe(0);
    expect(host.exitCode).toBe(0);
    await host.exited();
    expect(host.exits).toEqual([undefined]); // exit() without a code: the exitCode set above stands
  });

  it("forces the exit on a second signal while still stopping: forceStop, exit code 1, without waiting for stop", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const host = new FakeProcess();
    const { service, calls } = controlledService(); // stop() never settles: a drain that hangs
    const { logs, exitCode } = run(host, async () => service);
    await started();

    host.signal("SIGINT");
    vi.setSystemTime(Date.now() + 1_001);
    host.signal("SIGTERM");

    expect(await exitCode).toBe(1);
    expect(calls).toEqual(["stop", "forceStop"]);
    expect(host.exitCode).toBe(1);
    expect(logs.at("warn")).toEqual([expect.objectContaining({ signal: "SIGTERM", msg: "second signal: exiting without waiting" })]);
    await host.exited();
  });

  it("forces the exit on a second signal even when the service has no forceStop", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const host = new FakeProcess();
    const stop = vi.fn(() => new Promise<void>(() => undefined));
    const { exitCode } = run(host, async () => ({ stop }));
    await started();

    host.signal("SIGTERM");
    vi.setSystemTime(Date.now() + 5_000);
    host.signal("SIGTERM");

    expect(await exitCode).toBe(1);
    expect(stop).toHaveBeenCalledTimes(1);
  });

  it("counts a repeat within a second as the same request (Ctrl-C relayed by tsx), up to and including 1000 ms", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const host = new FakeProcess();
    const { service, calls, finishStop } = controlledService();
    const { logs, exitCode } = run(host, async () => service);
    await started();

    host.signal("SIGINT");
    host.signal("SIGINT");
    vi.setSystemTime(Date.now() + 1_000);
    host.signal("SIGTERM");
    expect(calls).toEqual(["stop"]);
    expect(logs.at("warn")).toEqual([]);

    finishStop();
    expect(await exitCode).toBe(0);
  });

  it("exits 1 and logs the error when stopping fails", async () => {
    const host = new FakeProcess();
    const { service, failStop } = controlledService();
    const { logs, exitCode } = run(host, async () => service);
    await started();

    host.signal("SIGTERM");
    failStop(new Error("flush failed"));

    expect(await exitCode).toBe(1);
    expect(logs.at("error")).toEqual([
      expect.objectContaining({ msg: "shutdown failed", err: expect.objectContaining({ message: "flush failed" }) }),
    ]);
  });

  it("prints a configuration error as a plain message on stderr and exits 1 without listening for signals", async () => {
    const host = new FakeProcess();
    const { logs, exitCode } = run(host, async () => {
      throw new ConfigError("Invalid RPC server configuration:\n  ANYCABLE_RPC_HOST: expected host:port");
    });

    expect(await exitCode).toBe(1);
    expect(host.err).toBe("Invalid RPC server configuration:\n  ANYCABLE_RPC_HOST: expected host:port\n");
    expect(logs.lines).toEqual([]);
    expect(host.listenerCount("SIGTERM") + host.listenerCount("SIGINT")).toBe(0);
    await host.exited();
    expect(host.exitCode).toBe(1);
  });

  it("logs any other start-up failure as fatal, with the error, and exits 1", async () => {
    const host = new FakeProcess();
    const { logs, exitCode } = run(host, async () => {
      throw new Error("port in use");
    });

    expect(await exitCode).toBe(1);
    expect(host.err).toBe("");
    expect(logs.lines.filter((l) => l.level === FATAL)).toEqual([
      expect.objectContaining({ msg: "cannot start: port in use", err: expect.objectContaining({ message: "port in use" }) }),
    ]);
  });

  it("names a thrown non-Error in the fatal line", async () => {
    const host = new FakeProcess();
    const { logs, exitCode } = run(host, () => Promise.reject("no database"));

    expect(await exitCode).toBe(1);
    expect(logs.lines.filter((l) => l.level === FATAL).map((l) => l.msg)).toEqual(["cannot start: no database"]);
  });

  it("stops with the code the service asked for when requestStop comes while it is still starting", async () => {
    const host = new FakeProcess();
    const { service, calls, finishStop } = controlledService();
    const { exitCode } = run(host, async ({ requestStop }) => {
      requestStop(3); // a child it depends on died during start-up
      requestStop(4); // the first request wins
      return service;
    });
    await started();
    expect(calls).toEqual(["stop"]);

    finishStop();
    expect(await exitCode).toBe(3);
  });

  it("stops with the code the service asked for when requestStop comes while serving, and only once", async () => {
    const host = new FakeProcess();
    const { service, calls, finishStop } = controlledService();
    let requestStop!: (code: number) => void;
    const { exitCode } = run(host, async (context) => {
      requestStop = context.requestStop;
      return service;
    });
    await started();

    requestStop(2);
    host.signal("SIGTERM"); // a signal after that is the same stop, not a second one
    expect(calls).toEqual(["stop"]);
    finishStop();
    expect(await exitCode).toBe(2);
  });

  it("gives start() a logger named after the command and the environment, by default the process's", async () => {
    const host = new FakeProcess({ ANYCABLE_LOG_LEVEL: "silent", FEATURE: "on" });
    const seen: { env?: NodeJS.ProcessEnv; level?: string; name?: unknown } = {};
    const exitCode = runProcess({
      name: "test",
      process: host,
      exitDelayMs: 0,
      async start({ env, logger }) {
        seen.env = env;
        seen.level = logger.level;
        seen.name = logger.bindings().name;
        throw new ConfigError("enough");
      },
    });
    expect(await exitCode).toBe(1);
    // The logger it makes is named after the command, configured from the environment.
    expect(seen).toEqual({ env: host.env, level: "silent", name: "test" });
  });

  it("prefers the env option to the process's own", async () => {
    const host = new FakeProcess({ FROM: "process" });
    let seen: NodeJS.ProcessEnv | undefined;
    const { exitCode } = run(
      host,
      async ({ env }) => {
        seen = env;
        throw new ConfigError("enough");
      },
      { env: { FROM: "option" } },
    );
    expect(await exitCode).toBe(1);
    expect(seen).toEqual({ FROM: "option" });
  });

  it("logs a rejection nobody awaited instead of dying of it, and keeps serving", async () => {
    const host = new FakeProcess();
    const { service, calls, finishStop } = controlledService();
    const { logs, exitCode } = run(host, async () => service);
    await started();

    host.emit("unhandledRejection", new Error("broadcast failed"));
    host.emit("unhandledRejection", "a bare string");
    expect(logs.at("error").map((l) => l.msg)).toEqual([
      "unhandled promise rejection (a promise nobody awaited): broadcast failed",
      "unhandled promise rejection (a promise nobody awaited): a bare string",
    ]);
    expect(logs.at("error")[1]).toMatchObject({ err: { message: "a bare string", type: "Error" } });
    expect(calls).toEqual([]);

    host.signal("SIGTERM");
    finishStop();
    expect(await exitCode).toBe(0);
  });

  it("exits after exitDelayMs (default 100 ms), leaving lingering handles that long to close", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout"] });
    const host = new FakeProcess();
    const exitCode = runProcess({
      name: "test",
      process: host,
      logger: captureLogger().logger,
      start: () => Promise.reject(new ConfigError("bad")),
    });
    expect(await exitCode).toBe(1);
    vi.advanceTimersByTime(99);
    expect(host.exits).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(host.exits).toEqual([undefined]);
  });
});
