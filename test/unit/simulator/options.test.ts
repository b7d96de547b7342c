import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_ACCOUNT_SID,
  DEFAULT_CABLE_URL,
  fixturesDir,
  parseCommandLine,
  resolveRecording,
  UsageError,
  type SimulatorOptions,
} from "../../../channels/simulator/options.js";

function options(argv: string[], env: NodeJS.ProcessEnv = {}): SimulatorOptions {
  const parsed = parseCommandLine(argv, env, "/tmp");
  if (parsed.help) throw new Error("unexpected --help");
  return parsed.options;
}

describe("command line", () => {
  it("defaults to the built-in script against localhost", () => {
    expect(options([])).toMatchObject({
      mode: "script",
      script: undefined,
      url: DEFAULT_CABLE_URL,
      account: DEFAULT_ACCOUNT_SID,
      accountDefaulted: true,
      speed: 1,
      dryRun: false,
    });
  });

  it("takes the URL and account from flags, else from the environment", () => {
    const env = { CABLE_URL: "ws://cable.test/cable", TWILIO_ACCOUNT_SID: "ACenv" };
    expect(options([], env)).toMatchObject({ url: "ws://cable.test/cable", account: "ACenv", accountDefaulted: false });
    expect(options(["--url", "wss://x/cable", "--account", "ACflag"], env)).toMatchObject({ url: "wss://x/cable", account: "ACflag" });
  });

  it("parses pacing flags and --help", () => {
    expect(options(["--speed", "2.5", "--pace-ms", "40", "--dry-run", "--script", "call.yml"])).toMatchObject({
      speed: 2.5,
      paceMs: 40,
      dryRun: true,
      script: "/tmp/call.yml",
    });
    expect(parseCommandLine(["--help"], {})).toEqual({ help: true });
  });

  it.each([
    [["--speed", "0"], /--speed expects a positive number/],
    [["--speed", "fast"], /--speed/],
    [["--pace-ms", "1.5"], /--pace-ms expects a positive integer/],
    [["--url", "http://localhost:8080/cable"], /ws:\/\/ or wss:\/\//],
    [["--url", "::"], /not a URL/],
    [["--sid", "CA123"], /--sid must be "CA" followed by 32/],
    [["--sid", "CA0123456789ABCDEF0123456789ABCDEF"], /lower-case/],
    [["--account", "AC 1"], /printable ASCII/],
    [["--script", "a.yml", "--replay", "sample"], /alternatives/],
    [["--replay", "sample", "--pace-ms", "10"], /--pace-ms applies to scripted calls/],
    [["--frobnicate"], /Unknown option '--frobnicate'.*--help/],
    [["positional"], /positional/i],
  ])("refuses %j", (argv, message) => {
    expect(() => parseCommandLine(argv, {})).toThrow(UsageError);
    expect(() => parseCommandLine(argv, {})).toThrow(message);
  });
});

describe("finding recordings", () => {
  it("resolves bare names in the shared fixtures, or in TWILIO_FIXTURES_DIR", () => {
    expect(resolveRecording("sample", {})).toBe(join(fixturesDir({}), "sample.yml"));
    expect(resolveRecording("london.yml", {}, "/")).toBe(join(fixturesDir({}), "london.yml"));
    const dir = mkdtempSync(join(tmpdir(), "sim-fixtures-"));
    writeFileSync(join(dir, "paris.yml"), "[]");
    expect(resolveRecording("paris", { TWILIO_FIXTURES_DIR: dir })).toBe(join(dir, "paris.yml"));
    expect(options(["--replay", "paris"], { TWILIO_FIXTURES_DIR: dir })).toMatchObject({
      mode: "replay",
      recording: join(dir, "paris.yml"),
    });
  });

  it("takes paths as given and lists what exists when nothing matches", () => {
    const path = join(fixturesDir({}), "sample.yml");
    expect(resolveRecording(path, {})).toBe(path);
    expect(() => resolveRecording("tokyo", {})).toThrow(/no recording "tokyo" \(recordings in .*: (london, sample|sample, london)\)/);
    expect(() => resolveRecording("tokyo", { TWILIO_FIXTURES_DIR: "/nonexistent" })).toThrow(/does not exist; set TWILIO_FIXTURES_DIR/);
  });
});
