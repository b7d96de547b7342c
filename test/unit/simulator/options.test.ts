import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_ACCOUNT_SID,
  DEFAULT_CABLE_URL,
  recordingDirs,
  parseCommandLine,
  resolveRecording,
  UsageError,
  type SimulatorOptions,
} from "../../../channels/simulator/options.js";
import { RECORDINGS_DIR } from "../../../channels/recordings/repository-recordings.js";

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
    [["--script", "a.yml", "--replay", "hello-world"], /alternatives/],
    [["--replay", "hello-world", "--pace-ms", "10"], /--pace-ms applies to scripted calls/],
    [["--frobnicate"], /Unknown option '--frobnicate'.*--help/],
    [["positional"], /positional/i],
  ])("refuses %j", (argv, message) => {
    expect(() => parseCommandLine(argv, {})).toThrow(UsageError);
    expect(() => parseCommandLine(argv, {})).toThrow(message);
  });
});

describe("finding recordings", () => {
  it("resolves bare names in the repository's recordings, and first in TWILIO_FIXTURES_DIR when set", () => {
    expect(recordingDirs({})).toEqual([RECORDINGS_DIR]);
    expect(resolveRecording("hello-world", {})).toBe(join(RECORDINGS_DIR, "hello-world.yml"));
    expect(resolveRecording("call-back.yml", {}, "/")).toBe(join(RECORDINGS_DIR, "call-back.yml"));
    const dir = mkdtempSync(join(tmpdir(), "sim-fixtures-"));
    writeFileSync(join(dir, "paris.yml"), "[]");
    writeFileSync(join(dir, "hello-world.yml"), "[]");
    expect(recordingDirs({ TWILIO_FIXTURES_DIR: dir })).toEqual([dir, RECORDINGS_DIR]);
    expect(resolveRecording("paris", { TWILIO_FIXTURES_DIR: dir })).toBe(join(dir, "paris.yml"));
    expect(resolveRecording("hello-world", { TWILIO_FIXTURES_DIR: dir })).toBe(join(dir, "hello-world.yml"));
    expect(resolveRecording("call-back", { TWILIO_FIXTURES_DIR: dir })).toBe(join(RECORDINGS_DIR, "call-back.yml"));
    expect(options(["--replay", "paris"], { TWILIO_FIXTURES_DIR: dir })).toMatchObject({
      mode: "replay",
      recording: join(dir, "paris.yml"),
    });
  });

  it("takes paths as given and lists what exists when nothing matches", () => {
    const path = join(RECORDINGS_DIR, "hello-world.yml");
    expect(resolveRecording(path, {})).toBe(path);
    expect(() => resolveRecording("tokyo", {})).toThrow(
      /no recording "tokyo" \(recordings in .*: (call-back, hello-world|hello-world, call-back)\)/,
    );
    expect(() => resolveRecording("tokyo", { TWILIO_FIXTURES_DIR: "/nonexistent" })).toThrow(
      /\/nonexistent does not exist; check TWILIO_FIXTURES_DIR; recordings in /,
    );
  });
});
