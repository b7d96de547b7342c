// pino-pretty is optional: where it is not installed (a user's production image), asking for text
// logs falls back to JSON with a warning instead of failing to start. Its absence is simulated by
// making its resolution fail, as Node's does for a package that is not there.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it, vi } from "vitest";
import { waitFor } from "../../support/wait.js";

vi.mock("node:module", async (importOriginal) => {
  const original = await importOriginal<typeof import("node:module")>();
  const createRequire = (from: string | URL) => {
    const require = original.createRequire(from);
    const resolve = (request: string) => {
      if (request === "pino-pretty") throw Object.assign(new Error(`Cannot find module '${request}'`), { code: "MODULE_NOT_FOUND" });
      return require.resolve(request);
    };
    return Object.assign(require, { resolve });
  };
  return { ...original, createRequire, default: { ...original, createRequire } };
});

const { createLogger } = await import("../../../src/logging/logger.js");
const dir = mkdtempSync(join(tmpdir(), "logger-no-pretty-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("logs JSON, and says why, when ANYCABLE_LOG_FORMAT=text cannot find pino-pretty", async () => {
  const file = join(dir, "log.txt");
  const logger = createLogger({ name: "rpc", destination: file }, { ANYCABLE_LOG_FORMAT: "text" });
  logger.info("listening");
  logger.flush();
  const lines = await waitFor(() => {
    const text = (() => {
      try {
        return readFileSync(file, "utf8");
      } catch {
        return "";
      }
    })();
    const all = text.split("\n").filter(Boolean);
    return all.length >= 2 ? all : undefined;
  });
  expect(lines.map((line) => JSON.parse(line) as unknown)).toEqual([
    expect.objectContaining({
      level: 40,
      name: "rpc",
      msg: "ANYCABLE_LOG_FORMAT=text needs pino-pretty (npm install pino-pretty); logging JSON instead",
    }),
    expect.objectContaining({ level: 30, name: "rpc", msg: "listening" }),
  ]);
});

it("stays quiet about pino-pretty when text was not asked for", async () => {
  const file = join(dir, "quiet.txt");
  const logger = createLogger({ pretty: true, destination: file }, {});
  logger.info("only this");
  logger.flush();
  const line = await waitFor(() => {
    try {
      return readFileSync(file, "utf8").split("\n")[0] || undefined;
    } catch {
      return undefined;
    }
  });
  expect(JSON.parse(line)).toMatchObject({ msg: "only this" });
});
