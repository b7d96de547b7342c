// `npm run simulate` is a Twilio client of the media-stream bridge: the CLI plays a repository
// recording to a real bridge in front of a real anycable-go and RPC server, signed and tokened
// like Twilio, and the application sees the call the recording's sentences make.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordingSentences } from "../../../../../channels/recordings/repository-recordings.js";
import {
  BRIDGE_ACCOUNT_SID,
  BRIDGE_AUTH_TOKEN,
  BRIDGE_SECRET,
  PUBLIC_STREAM_URL,
  startBridgeStack,
  type BridgeStack,
} from "../../../../support/bridge-stack.js";
import { startFakeVoskRecognizer, type FakeVoskRecognizer } from "../../../../support/fake-vosk-recognizer.js";
import { REPO_ROOT, spawnProcess, waitFor, withTimeout } from "../../../../support/index.js";

const SENTENCES = recordingSentences("hello-world");
let speech: FakeVoskRecognizer;
let stack: BridgeStack;

beforeAll(async () => {
  speech = await startFakeVoskRecognizer(SENTENCES);
  stack = await startBridgeStack({ recognizer: speech.recognizer });
}, 60_000);
afterAll(async () => {
  await stack?.stop();
  await speech?.close();
});

interface Run {
  code: number | null;
  stdout: string[];
  stderr: string[];
}

async function simulate(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const proc = await spawnProcess({
    name: "simulator",
    command: process.execPath,
    args: ["--import", "tsx", "channels/tools/simulator/cli.ts", ...args],
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      ANYCABLE_LOG_FORMAT: "json",
      LOG_LEVEL: "info",
      TWILIO_ACCOUNT_SID: BRIDGE_ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: BRIDGE_AUTH_TOKEN,
      TWILIO_BRIDGE_SECRET: BRIDGE_SECRET,
      TWILIO_STREAM_URL: PUBLIC_STREAM_URL,
      ...env,
    },
    onLine: (line, stream) => (stream === "stdout" ? stdout : stderr).push(line),
  });
  const exit = await withTimeout(proc.exited, 60_000, "the simulator to exit");
  return { code: exit.code, stdout, stderr };
}

describe("npm run simulate", () => {
  it("plays a repository recording through the bridge: the application gets the call and its sentences", async () => {
    const sid = `CA${"a1".repeat(16)}`;
    const run = await simulate(["--url", stack.bridge.url, "--sid", sid, "--recording", "hello-world", "--speed", "2"]);
    expect(run.code).toBe(0);
    await waitFor(() => stack.rpcCallsOf(sid).some((c) => c.rpc === "disconnect"), {
      timeoutMs: 15_000,
      description: "the call's Disconnect",
    });
    const texts = stack
      .rpcCallsOf(sid)
      .flatMap((c) =>
        c.rpc === "command" && c.command === "message" ? [JSON.parse(c.data) as { result: { text: string; final: boolean } }] : [],
      )
      .filter((d) => d.result.final)
      .map((d) => d.result.text);
    expect(texts).toEqual(SENTENCES);
    expect((await stack.registry.events(sid)).filter((e) => e.kind === "transcript")).toHaveLength(SENTENCES.length);
  });

  it("fails with exit 1 and says why when the bridge refuses the signature", async () => {
    const run = await simulate(["--url", stack.bridge.url], { TWILIO_AUTH_TOKEN: "not-the-token" });
    expect(run.code).toBe(1);
    expect(run.stderr.join("\n")).toMatch(/refused the media stream: HTTP 403 \(does TWILIO_AUTH_TOKEN and TWILIO_STREAM_URL match/);
  });

  it("fails with exit 1 when the bridge closes the stream (a token minted with another secret)", async () => {
    const run = await simulate(["--url", stack.bridge.url, "--speed", "10"], { TWILIO_BRIDGE_SECRET: "some-other-secret-0123456789" });
    expect(run.code).toBe(1);
    expect(run.stderr.join("\n")).toMatch(/the bridge closed the stream: stream token invalid/);
  });

  it("fails with exit 1 when no bridge listens", async () => {
    const run = await simulate(["--url", "ws://127.0.0.1:9/"]);
    expect(run.code).toBe(1);
    expect(run.stderr.join("\n")).toMatch(/is the bridge running\?/);
  });

  it("prints Twilio's frames with --dry-run: connected, start with the token, numbered media, stop", async () => {
    const run = await simulate(["--dry-run", "--sid", `CA${"b2".repeat(16)}`]);
    expect(run.code).toBe(0);
    const frames = run.stdout.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(frames[0]).toEqual({ event: "connected", protocol: "Call", version: "1.0.0" });
    expect(frames[1]).toMatchObject({
      event: "start",
      sequenceNumber: "1",
      start: {
        callSid: `CA${"b2".repeat(16)}`,
        accountSid: BRIDGE_ACCOUNT_SID,
        customParameters: { streamToken: expect.stringMatching(/^v1\./) },
      },
    });
    expect(frames.slice(2, -1).every((f, i) => f.event === "media" && f.sequenceNumber === String(i + 2))).toBe(true);
    expect(frames.at(-1)).toMatchObject({ event: "stop", sequenceNumber: String(frames.length - 1) });
  });
});
