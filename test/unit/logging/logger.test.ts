// createLogger as operators meet it: the level the environment asks for, and the lines it writes
// (to a file here, the same writer as stdout and stderr).
import { execFileSync } from "node:child_process";
import fs, { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createLogger, silentLogger, type Logger } from "../../../src/logging/logger.js";
import { waitFor } from "../../support/wait.js";
import { closeDestinationOf, destinationOf } from "./support/destination.js";

let dir: string;
let files = 0;
const nextFile = () => join(dir, `log-${++files}.txt`);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "logger-"));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What `logger` wrote to `file`, once it has written `lines` lines. */
async function written(logger: Logger, file: string, lines: number): Promise<string[]> {
  logger.flush();
  return waitFor(
    () => {
      let text = "";
      try {
        text = readFileSync(file, "utf8");
      } catch {
        return undefined; // not created yet
      }
      const all = text.split("\n").filter((line) => line !== "");
      return all.length >= lines ? all : undefined;
    },
    { description: `${lines} log lines in ${file}` },
  );
}

describe("createLogger's level", () => {
  it.each([
    [{}, "info"],
    [{ ANYCABLE_LOG_LEVEL: "debug" }, "debug"],
    [{ ANYCABLE_LOG_LEVEL: "WARN" }, "warn"],
    [{ ANYCABLE_LOG_LEVEL: "silent" }, "silent"],
    [{ LOG_LEVEL: "error" }, "error"],
    [{ ANYCABLE_LOG_LEVEL: "trace", LOG_LEVEL: "error" }, "trace"],
    [{ ANYCABLE_LOG_LEVEL: "verbose" }, "info"],
    [{ ANYCABLE_DEBUG: "true", ANYCABLE_LOG_LEVEL: "error" }, "debug"],
    [{ ANYCABLE_DEBUG: "1" }, "debug"],
    [{ ANYCABLE_DEBUG: "false", ANYCABLE_LOG_LEVEL: "fatal" }, "fatal"],
    // An env object built by hand: a value that is not text is an unknown level, not a TypeError.
    [{ ANYCABLE_LOG_LEVEL: 3 }, "info"],
    [{ ANYCABLE_LOG_LEVEL: { level: "debug" } }, "info"],
  ])("is read from %j as %s", (env, level) => {
    expect(createLogger({ destination: nextFile() }, env as NodeJS.ProcessEnv).level).toBe(level);
  });

  it("is the option's when one is given, whatever the environment says", () => {
    expect(createLogger({ level: "error", destination: nextFile() }, { ANYCABLE_DEBUG: "true" }).level).toBe("error");
  });

  it("is silent for silentLogger", () => {
    expect(silentLogger().level).toBe("silent");
  });
});

describe("createLogger's lines", () => {
  it("are JSON with the name, the bindings of child loggers and only the levels asked for", async () => {
    const file = nextFile();
    const logger = createLogger({ name: "rpc", destination: file }, { ANYCABLE_LOG_LEVEL: "info" });
    logger.debug("dropped");
    logger.child({ sid: "s-1" }).info({ channel: "chat" }, "subscribed");
    logger.warn("slow");

    const lines = (await written(logger, file, 2)).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toEqual([
      expect.objectContaining({ level: 30, name: "rpc", sid: "s-1", channel: "chat", msg: "subscribed", pid: process.pid }),
      expect.objectContaining({ level: 40, name: "rpc", msg: "slow" }),
    ]);
  });

  it("are named anycable-ts unless told otherwise", async () => {
    const file = nextFile();
    const logger = createLogger({ destination: file }, {});
    logger.info("hello");
    expect(JSON.parse((await written(logger, file, 1))[0]!)).toMatchObject({ name: "anycable-ts", msg: "hello" });
  });

  it("are human-readable with ANYCABLE_LOG_FORMAT=text: time, level, name, message, no pid or colours off a terminal", async () => {
    const file = nextFile();
    const logger = createLogger({ name: "web", destination: file }, { ANYCABLE_LOG_FORMAT: "text" });
    logger.info({ port: 8080 }, "listening");

    const [line, field] = await written(logger, file, 2);
    expect(line).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO \(web\): listening$/);
    expect(field).toMatch(/^\s+port: 8080$/);
    expect(`${line}${field}`).not.toContain(String(process.pid));
  });

  it.each([
    ["ANYCABLE_LOG_FORMAT=json", {}, { ANYCABLE_LOG_FORMAT: "json" }],
    ["pretty: false over ANYCABLE_LOG_FORMAT=text", { pretty: false }, { ANYCABLE_LOG_FORMAT: "text" }],
    ["no format off a terminal", {}, {}],
  ])("stay JSON with %s", async (_, options, env) => {
    const file = nextFile();
    const logger = createLogger({ ...options, destination: file }, env);
    logger.info("plain");
    expect(JSON.parse((await written(logger, file, 1))[0]!)).toMatchObject({ level: 30, msg: "plain" });
  });
});

describe("createLogger's light-traffic flush", () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it("writes a lone line within 100 ms, and writes nothing at all while idle", async () => {
    // Only the interval is faked: the file is still opened and written for real.
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    const writes = vi.spyOn(fs, "write");
    const file = nextFile();
    const logger = createLogger({ destination: file }, {});
    logger.info("alone");
    // The file opens asynchronously, and a tick while it opens finds nothing to write yet.
    const [line] = await waitFor(
      async () => {
        await vi.advanceTimersByTimeAsync(100);
        const lines = fs.existsSync(file)
          ? readFileSync(file, "utf8")
              .split("\n")
              .filter((l) => l !== "")
          : [];
        return lines.length === 1 ? lines : undefined;
      },
      { description: "the line, written by the timer alone" },
    );
    expect(JSON.parse(line!)).toMatchObject({ msg: "alone" });

    writes.mockClear();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(writes).not.toHaveBeenCalled();
  });
  it("holds lines back and writes them together, in one write, when the timer comes", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    const file = nextFile();
    const logger = createLogger({ destination: file }, {});
    // Once the file is open (its first line written), writes can be counted.
    logger.info("opened");
    await written(logger, file, 1);
    const writes = vi.spyOn(fs, "write");
    const syncWrites = vi.spyOn(fs, "writeSync");
    for (const n of [1, 2, 3, 4, 5]) logger.info({ n }, "batched");
    expect(syncWrites).not.toHaveBeenCalled();
    expect(writes).not.toHaveBeenCalled();

    await vi.advanceTimersByTimeAsync(100);
    const lines = await waitFor(() => {
      const all = readFileSync(file, "utf8").split("\n").filter(Boolean);
      return all.length === 6 ? all : undefined;
    });
    expect(lines.slice(1).map((line) => (JSON.parse(line) as { n: number }).n)).toEqual([1, 2, 3, 4, 5]);
    expect(writes).toHaveBeenCalledTimes(1);
    expect(syncWrites).not.toHaveBeenCalled();
  });

  it("stops its timer once its destination is closed", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    const before = vi.getTimerCount();
    const logger = createLogger({ destination: nextFile() }, {});
    expect(vi.getTimerCount()).toBe(before + 1);
    await closeDestinationOf(logger);
    expect(vi.getTimerCount()).toBe(before);
  });

  it("writes a lone line within 100 ms even after lines of multi-byte characters", async () => {
    // The timer flushes while bytes are unwritten; the writes it hears of are counted in bytes, so
    // a line of "€" (3 bytes each) must count as its bytes, not its characters, or the next line waits.
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    const file = nextFile();
    const logger = createLogger({ destination: file }, {});
    const linesIn = () =>
      fs.existsSync(file)
        ? readFileSync(file, "utf8")
            .split("\n")
            .filter((l) => l !== "")
        : [];
    logger.info("€".repeat(500));
    await waitFor(
      async () => {
        await vi.advanceTimersByTimeAsync(100);
        return linesIn().length === 1;
      },
      { description: "the line of euros, written by the timer" },
    );
    logger.info("after the euros");
    const lines = await waitFor(
      async () => {
        await vi.advanceTimersByTimeAsync(100);
        const all = linesIn();
        return all.length === 2 ? all : undefined;
      },
      { description: "the short line after it, written by the timer alone" },
    );
    expect(JSON.parse(lines[0]!)).toMatchObject({ msg: "€".repeat(500) });
    expect(JSON.parse(lines[1]!)).toMatchObject({ msg: "after the euros" });
  });

  it("stops writing once the reader of its pipe has gone (EPIPE), instead of retrying every tick", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    const fifo = join(dir, `pipe-${++files}`);
    execFileSync("mkfifo", [fifo]);
    const failures: string[] = [];
    const write = fs.write;
    const writes = vi.spyOn(fs, "write").mockImplementation(((...args: unknown[]) => {
      const done = args.pop() as (error: NodeJS.ErrnoException | null, ...rest: unknown[]) => void;
      (write as (...a: unknown[]) => void)(...args, (error: NodeJS.ErrnoException | null, ...rest: unknown[]) => {
        if (error?.code) failures.push(error.code);
        done(error, ...rest);
      });
    }) as typeof fs.write);
    // The reader first, and non-blocking: its open does not wait for a writer, the logger's open
    // then finds a reader, and a read with nothing written yet returns at once.
    const reader = await fs.promises.open(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    const logger = createLogger({ destination: fifo }, {});
    logger.info("read");
    const first = Buffer.alloc(4096);
    const readBytes = await waitFor(
      async () => {
        await vi.advanceTimersByTimeAsync(100);
        return (await reader.read(first, 0, first.length)).bytesRead;
      },
      { description: "the first line, through the pipe" },
    );
    expect(JSON.parse(first.subarray(0, readBytes).toString())).toMatchObject({ msg: "read" });
    await reader.close();

    logger.info("nobody reads this");
    await waitFor(
      async () => {
        await vi.advanceTimersByTimeAsync(100);
        return failures.includes("EPIPE");
      },
      { description: "the write into the closed pipe to fail" },
    );
    writes.mockClear();
    await vi.advanceTimersByTimeAsync(1_000);
    logger.info("still nobody");
    await vi.advanceTimersByTimeAsync(1_000);
    expect(writes).not.toHaveBeenCalled();
  });

  it("throws a write error other than a closed pipe, as pino does, and keeps writing after it (a full disk may be emptied)", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    const file = nextFile();
    const logger = createLogger({ destination: file }, {});
    const destination = destinationOf(logger);
    const full = Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
    expect(() => destination.emit("error", full)).toThrow(full);
    logger.info("space again");
    const [line] = await waitFor(
      async () => {
        await vi.advanceTimersByTimeAsync(100);
        const lines = fs.existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean) : [];
        return lines.length === 1 ? lines : undefined;
      },
      { description: "the line after the error, written by the timer" },
    );
    expect(JSON.parse(line!)).toMatchObject({ msg: "space again" });
  });
});

describe("loggers of one process writing to the same place", () => {
  it("keep the order in which their lines were logged (npm start runs five components' loggers in one process)", async () => {
    const file = nextFile();
    const rpc = createLogger({ name: "rpc", destination: file }, {});
    const web = createLogger({ name: "web", destination: file }, {});
    rpc.info("1");
    web.info("2");
    rpc.info("3");
    web.info("4");
    const lines = await written(rpc, file, 4);
    expect(lines.map((line) => JSON.parse(line) as { name: string; msg: string }).map(({ name, msg }) => `${name} ${msg}`)).toEqual([
      "rpc 1",
      "web 2",
      "rpc 3",
      "web 4",
    ]);
  });

  it("get a fresh destination once the shared one has closed", async () => {
    const file = nextFile();
    const first = createLogger({ destination: file }, {});
    first.info("before");
    await written(first, file, 1);
    await closeDestinationOf(first);
    const second = createLogger({ destination: file }, {});
    second.info("after");
    expect((await written(second, file, 2)).map((line) => (JSON.parse(line) as { msg: string }).msg)).toEqual(["before", "after"]);
  });
});

describe("a logger writing to stderr", () => {
  afterEach(() => vi.restoreAllMocks());

  it("writes each line at once, as stderr conventionally is, with no timer or batch in between", () => {
    const writes = vi.spyOn(fs, "writeSync").mockImplementation((_fd, buffer) => Buffer.byteLength(buffer as string));
    const logger = createLogger({ destination: 2 }, { ANYCABLE_LOG_FORMAT: "json" });
    logger.warn({ callSid: "CA1" }, "straight to stderr");
    const call = writes.mock.calls.find(([fd]) => fd === 2);
    expect(call).toBeDefined();
    expect(JSON.parse(String(call![1]))).toMatchObject({ msg: "straight to stderr", callSid: "CA1", level: 40 });
  });
});
