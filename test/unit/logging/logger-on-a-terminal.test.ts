// createLogger's default format follows what its destination is: pretty, coloured lines for a
// person at a terminal, JSON for a pipe, a file or a log shipper. A test's stdout and stderr are
// pipes, so each test says which of them is a terminal, and pino-pretty is replaced by a transport
// that records what it was started with (test/fixtures/recording-pretty-transport.mjs).
import fs, { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { waitFor } from "../../support/wait.js";
import { closeDestinationOf } from "./support/destination.js";

const fakePretty = fileURLToPath(new URL("../../fixtures/recording-pretty-transport.mjs", import.meta.url));

vi.mock("node:module", async (importOriginal) => {
  const original = await importOriginal<typeof import("node:module")>();
  const createRequire = (from: string | URL) => {
    const require = original.createRequire(from);
    const resolve = (request: string) => (request === "pino-pretty" ? fakePretty : require.resolve(request));
    return Object.assign(require, { resolve });
  };
  return { ...original, createRequire, default: { ...original, createRequire } };
});

const { createLogger } = await import("../../../src/logging/logger.js");
type Logger = ReturnType<typeof createLogger>;

const dir = mkdtempSync(join(tmpdir(), "logger-terminal-"));
let files = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const streams = { stdout: process.stdout, stderr: process.stderr };
const original = { stdout: process.stdout.isTTY, stderr: process.stderr.isTTY };
/** Which of stdout and stderr a person is watching; a pipe's isTTY is false here, or absent as in Node. */
function terminals(tty: { stdout: boolean | undefined; stderr: boolean | undefined }): void {
  for (const name of ["stdout", "stderr"] as const) {
    Object.defineProperty(streams[name], "isTTY", { value: tty[name], configurable: true, writable: true });
  }
}

const loggers: Logger[] = [];
afterEach(async () => {
  for (const name of ["stdout", "stderr"] as const) {
    Object.defineProperty(streams[name], "isTTY", { value: original[name], configurable: true, writable: true });
  }
  vi.restoreAllMocks();
  // Closed, and waited for: loggers writing to one place share its destination, and the next
  // test's logger must get a fresh one rather than this one while it is still closing.
  await Promise.all(loggers.splice(0).map(closeDestinationOf));
  delete process.env.RECORDING_PRETTY_FILE;
});

/** A logger for `destination`, kept to be closed after the test. */
function logger(destination: 1 | 2 | string, env: NodeJS.ProcessEnv = {}): Logger {
  const created = createLogger({ name: "web", destination }, env);
  loggers.push(created);
  return created;
}

/** What the stand-in for pino-pretty was started with and given, once it has a line. */
async function prettyOutput(): Promise<{ options: Record<string, unknown>; lines: string[] }> {
  const file = process.env.RECORDING_PRETTY_FILE!;
  const [first, ...lines] = await waitFor(
    () => {
      const all = fs.existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean) : [];
      return all.length >= 2 ? all : undefined;
    },
    { description: "a line through the pretty transport" },
  );
  return { options: (JSON.parse(first!) as { options: Record<string, unknown> }).options, lines };
}

/** The JSON lines a logger writes to stdout (asynchronously, in batches), caught before they reach it. */
function stdoutLines(): () => Array<Record<string, unknown>> {
  const chunks: string[] = [];
  const write = fs.write;
  vi.spyOn(fs, "write").mockImplementation(((fd: number, data: string | Uint8Array, ...rest: unknown[]) => {
    if (fd !== 1) return (write as (...args: unknown[]) => void)(fd, data, ...rest);
    chunks.push(Buffer.from(data).toString());
    const done = rest.pop() as (error: null, written: number) => void;
    process.nextTick(() => done(null, Buffer.byteLength(data)));
  }) as typeof fs.write);
  return () =>
    chunks
      .join("")
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** The JSON lines a logger writes to stderr (synchronously), caught before they reach it. */
function stderrLines(): () => Array<Record<string, unknown>> {
  const writeSync = fs.writeSync;
  const lines: Array<Record<string, unknown>> = [];
  vi.spyOn(fs, "writeSync").mockImplementation(((fd: number, data: string, ...rest: unknown[]) => {
    if (fd !== 2) return (writeSync as (...args: unknown[]) => number)(fd, data, ...rest);
    lines.push(JSON.parse(String(data)) as Record<string, unknown>);
    return Buffer.byteLength(data);
  }) as typeof fs.writeSync);
  return () => lines;
}

function recordPrettyTo(): void {
  process.env.RECORDING_PRETTY_FILE = join(dir, `pretty-${++files}.txt`);
}

describe("a logger whose stdout is a terminal", () => {
  it("writes pretty, coloured lines to it", async () => {
    terminals({ stdout: true, stderr: false });
    recordPrettyTo();
    logger(1).info("listening");
    const { options, lines } = await prettyOutput();
    expect(options).toMatchObject({ destination: 1, colorize: true, ignore: "pid,hostname" });
    expect(JSON.parse(lines[0]!)).toMatchObject({ name: "web", msg: "listening" });
  });

  it("writes JSON when ANYCABLE_LOG_FORMAT=json asks for it", async () => {
    terminals({ stdout: true, stderr: true });
    const lines = stdoutLines();
    const log = logger(1, { ANYCABLE_LOG_FORMAT: "json" });
    log.info("for the shipper");
    log.flush();
    expect(await waitFor(() => lines()[0])).toMatchObject({ name: "web", msg: "for the shipper" });
  });

  it("still writes JSON to stderr when stderr is a pipe", () => {
    terminals({ stdout: true, stderr: false });
    const lines = stderrLines();
    logger(2).warn("to the pipe");
    expect(lines()).toEqual([expect.objectContaining({ name: "web", msg: "to the pipe", level: 40 })]);
  });

  it("still writes JSON to a file", async () => {
    terminals({ stdout: true, stderr: true });
    const file = join(dir, `log-${++files}.txt`);
    const log = logger(file);
    log.info("to the file");
    log.flush();
    const line = await waitFor(() => (fs.existsSync(file) ? readFileSync(file, "utf8").split("\n")[0] : undefined));
    expect(JSON.parse(line)).toMatchObject({ name: "web", msg: "to the file" });
  });
});

describe("a logger whose stderr is a terminal", () => {
  it("writes pretty, coloured lines to it when it logs to stderr", async () => {
    terminals({ stdout: false, stderr: true });
    recordPrettyTo();
    logger(2).info("on stderr");
    const { options } = await prettyOutput();
    expect(options).toMatchObject({ destination: 2, colorize: true });
  });

  it("writes JSON to stdout when stdout is a pipe", async () => {
    terminals({ stdout: false, stderr: true });
    const lines = stdoutLines();
    const log = logger(1);
    log.info("to the pipe");
    log.flush();
    expect(await waitFor(() => lines()[0])).toMatchObject({ name: "web", msg: "to the pipe" });
  });
});

describe("a logger with no terminal", () => {
  it.each([
    ["isTTY false", false],
    ["no isTTY", undefined],
  ])("writes JSON to stdout (%s)", async (_, tty) => {
    terminals({ stdout: tty, stderr: tty });
    const lines = stdoutLines();
    const log = logger(1);
    log.info("plain");
    log.flush();
    expect(await waitFor(() => lines()[0])).toMatchObject({ msg: "plain" });
  });

  it("writes pretty lines, without colour, when ANYCABLE_LOG_FORMAT=text asks for them", async () => {
    terminals({ stdout: false, stderr: false });
    recordPrettyTo();
    logger(1, { ANYCABLE_LOG_FORMAT: "text" }).info("asked for text");
    const { options } = await prettyOutput();
    expect(options).toMatchObject({ destination: 1, colorize: false });
  });
});
