import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_RECORDING,
  recordingDirs,
  parseCommandLine,
  resolveRecording,
  UsageError,
  type SimulatorOptions,
} from "../../../../../channels/tools/simulator/options.js";
import { DEV_ACCOUNT_SID, DEV_AUTH_TOKEN, DEV_BRIDGE_SECRET, DEV_STREAM_URL } from "../../../../../channels/config/development-defaults.js";
import { RECORDINGS_DIR } from "../../../../../channels/recordings/repository-recordings.js";

function options(argv: string[], env: NodeJS.ProcessEnv = {}): SimulatorOptions {
  const parsed = parseCommandLine(argv, env, "/tmp");
  if (parsed.help) throw new Error("unexpected --help");
  return parsed.options;
}

describe("command line", () => {
  it("defaults to a repository recording played to npm start's bridge with its development secrets", () => {
    expect(options([])).toEqual({
      recording: join(RECORDINGS_DIR, `${DEFAULT_RECORDING}.yml`),
      url: "ws://127.0.0.1:8081/",
      streamUrl: DEV_STREAM_URL,
      account: DEV_ACCOUNT_SID,
      accountDefaulted: true,
      authToken: DEV_AUTH_TOKEN,
      bridgeSecret: DEV_BRIDGE_SECRET,
      sid: undefined,
      speed: 1,
      timeoutMs: 10_000,
      dryRun: false,
    });
  });

  it("reads the bridge, URLs, account and secrets from the environment, flags first", () => {
    const env = {
      TWILIO_BRIDGE_HOST: "10.0.0.5:9000",
      TWILIO_STREAM_URL: "wss://calls.example.com/twilio",
      TWILIO_ACCOUNT_SID: "ACenv",
      TWILIO_AUTH_TOKEN: "token-from-env",
      ANYCABLE_SECRET: "anycable-secret-0123456789",
    };
    expect(options([], env)).toMatchObject({
      url: "ws://10.0.0.5:9000/",
      streamUrl: "wss://calls.example.com/twilio",
      account: "ACenv",
      accountDefaulted: false,
      authToken: "token-from-env",
      bridgeSecret: "anycable-secret-0123456789",
    });
    expect(options([], { ...env, TWILIO_BRIDGE_SECRET: "bridge-secret-0123456789" }).bridgeSecret).toBe("bridge-secret-0123456789");
    expect(
      options(["--url", "wss://x/", "--stream-url", "wss://y/s", "--account", "ACflag", "--recording", "call-back"], env),
    ).toMatchObject({
      url: "wss://x/",
      streamUrl: "wss://y/s",
      account: "ACflag",
      recording: join(RECORDINGS_DIR, "call-back.yml"),
    });
  });

  it("parses pacing flags and --help", () => {
    expect(options(["--speed", "2.5", "--timeout-ms", "400", "--dry-run", "--replay", "call-back"])).toMatchObject({
      speed: 2.5,
      timeoutMs: 400,
      dryRun: true,
      recording: join(RECORDINGS_DIR, "call-back.yml"),
    });
    expect(parseCommandLine(["--help"], {})).toEqual({ help: true });
  });

  it.each([
    [["--speed", "0"], /--speed expects a positive number/],
    [["--speed", "fast"], /--speed/],
    [["--timeout-ms", "1.5"], /--timeout-ms expects a positive integer/],
    [["--url", "http://localhost:8081/"], /ws:\/\/ or wss:\/\//],
    [["--stream-url", "ws://localhost:8081/"], /--stream-url must be a wss:\/\/ URL/],
    [["--url", "::"], /not a URL/],
    [["--sid", "CA123"], /--sid must be "CA" followed by 32/],
    [["--sid", "CA0123456789ABCDEF0123456789ABCDEF"], /lower-case/],
    [["--account", "AC 1"], /--account must be "AC"/],
    [["--recording", "call-back", "--replay", "hello-world"], /same option/],
    [["--recording", "tokyo"], /no recording "tokyo"/],
    [["--frobnicate"], /Unknown option '--frobnicate'.*--help/],
    [["positional"], /positional/i],
  ])("refuses %j", (argv, message) => {
    expect(() => parseCommandLine(argv, {})).toThrow(UsageError);
    expect(() => parseCommandLine(argv, {})).toThrow(message);
  });

  it("refuses a bridge secret too short to be one", () => {
    expect(() => parseCommandLine([], { TWILIO_BRIDGE_SECRET: "short" })).toThrow(/TWILIO_BRIDGE_SECRET: must be at least 16/);
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
    expect(options(["--replay", "paris"], { TWILIO_FIXTURES_DIR: dir })).toMatchObject({ recording: join(dir, "paris.yml") });
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
