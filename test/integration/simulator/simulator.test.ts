// The simulator CLI against a real anycable-go in front of a real RPC server built with the
// framework: what the application sees must be what the Twilio media-stream server would make
// it see (Connect with the account header, Subscribe, handle_message performs, Disconnect).
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseRecording, trackAudio } from "../../../channels/media-stream/recording.js";
import { recordingPath } from "../../../channels/recordings/repository-recordings.js";
import { sequentialIds } from "../../../channels/simulator/plan.js";
import type { TranscriptResult } from "../../../channels/simulator/protocol.js";
import { recognizeMulaw } from "../../../channels/speech/pocketsphinx/batch.js";
import { scheduleUtterances } from "../../../channels/simulator/replay.js";
import { startRpcServer, type RunningRpcServer } from "../../../src/rpc/start-server.js";
import { silentLogger } from "../../../src/logging/logger.js";
import { RecordingBroadcaster } from "../../fixtures/recording-broadcaster.js";
import { freePort, REPO_ROOT, spawnProcess, startAnycableGo, waitFor, withTimeout, type AnycableGo } from "../../support/index.js";
import app, { ACCOUNT, events, eventsOf, REJECTED_SID, type CallEvent } from "./call-recorder-app.js";

let rpc: RunningRpcServer;
let cable: AnycableGo;
const work = mkdtempSync(join(tmpdir(), "sim-it-"));

beforeAll(async () => {
  rpc = await startRpcServer({
    app,
    broadcaster: new RecordingBroadcaster(),
    logger: silentLogger(),
    config: { host: "127.0.0.1:0", maxMessageSize: 4 * 1024 * 1024, shutdownTimeoutSeconds: 2 },
    env: {},
  });
  cable = await startAnycableGo({ rpcHost: `127.0.0.1:${rpc.port}`, headers: ["cookie", "x-twilio-account"], broadcastAdapter: "http" });
});

afterAll(async () => {
  await cable?.stop({ timeoutMs: 5_000 });
  await rpc?.stop();
});

beforeEach(() => {
  events.length = 0;
});

interface Run {
  code: number | null;
  stdout: string[];
  stderr: string[];
}

interface Started {
  proc: Awaited<ReturnType<typeof spawnProcess>>;
  stdout: string[];
  stderr: string[];
  done: Promise<Run>;
}

async function startSimulator(args: string[], env: Record<string, string> = {}): Promise<Started> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const proc = await spawnProcess({
    name: "simulator",
    command: process.execPath,
    args: ["--import", "tsx", "channels/simulator/cli.ts", ...args],
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ANYCABLE_LOG_FORMAT: "json", LOG_LEVEL: "info", ...env },
    onLine: (line, stream) => (stream === "stdout" ? stdout : stderr).push(line),
  });
  const done = withTimeout(proc.exited, 90_000, "the simulator to exit").then((exit) => ({ code: exit.code, stdout, stderr }));
  return { proc, stdout, stderr, done };
}

async function simulate(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return (await startSimulator(args, env)).done;
}

function logMessages(lines: string[]): string[] {
  return lines.flatMap((line) => {
    try {
      return [(JSON.parse(line) as { msg: string }).msg];
    } catch {
      return [];
    }
  });
}

function scriptFile(name: string, script: object): string {
  const path = join(work, name);
  writeFileSync(path, JSON.stringify(script));
  return path;
}

/** anycable-go runs Disconnect after the socket closed; the test waits for it, bounded. */
async function waitForHangUp(sid: string): Promise<CallEvent[]> {
  await waitFor(() => eventsOf(sid).some((e) => e.kind === "unsubscribed") && events.some((e) => e.kind === "disconnect"), {
    timeoutMs: 15_000,
    description: `Disconnect for ${sid}`,
    details: () => `events: ${JSON.stringify(events)}\nanycable-go: ${cable.logs().slice(-2000)}`,
  });
  return eventsOf(sid);
}

const results = (callEvents: CallEvent[]): TranscriptResult[] =>
  callEvents.flatMap((e) => (e.kind === "message" ? [e.result as TranscriptResult] : []));

/** Partials repeat one id until its final; every phrase gets a new id. */
function expectUtteranceIds(received: TranscriptResult[]): void {
  const finished = new Set<string>();
  let current: string | undefined;
  for (const result of received.filter((r) => r.event === "transcript")) {
    expect(result.id).not.toBe("");
    expect(finished.has(result.id)).toBe(false);
    if (current !== undefined && result.id !== current) expect(finished.has(current)).toBe(true);
    current = result.id;
    if (result.final) finished.add(result.id);
  }
}

describe("npm run simulate against anycable-go", () => {
  it("plays a scripted call: connect with the header, subscribe, results in order, unsubscribed on hang-up", async () => {
    const sid = "CA0123456789abcdef0123456789abcdef";
    const script = scriptFile("call.json", {
      wordMs: 200,
      pauseMs: 300,
      hangupAfterMs: 300,
      steps: ["Hello there", { error: "recognizer stream timed out" }, { say: "My order is late", partials: true }],
    });
    const run = await simulate(["--url", cable.url, "--account", ACCOUNT, "--sid", sid, "--script", script, "--speed", "20"]);
    expect(run.code, run.stderr.join("\n")).toBe(0);

    const callEvents = await waitForHangUp(sid);
    const identifier = `{"channel":"twilio","sid":"${sid}"}`;
    expect(events[0]).toEqual({ kind: "connect", header: ACCOUNT, accepted: true });
    expect(callEvents[0]).toEqual({ kind: "subscribe", identifier, sid });
    const received = results(callEvents);
    expect(received.map(({ text, final, event }) => ({ text, final, event }))).toEqual([
      { text: "Hello", final: false, event: "transcript" },
      { text: "Hello there", final: true, event: "transcript" },
      { text: "recognizer stream timed out", final: false, event: "error" },
      { text: "My", final: false, event: "transcript" },
      { text: "My order", final: false, event: "transcript" },
      { text: "My order is", final: false, event: "transcript" },
      { text: "My order is late", final: true, event: "transcript" },
    ]);
    expect(received[2]!.id).toBe("");
    expectUtteranceIds(received);
    expect(callEvents.filter((e) => e.kind === "message").every((e) => e.kind === "message" && e.identifier === identifier)).toBe(true);
    expect(callEvents.at(-1)).toEqual({ kind: "unsubscribed", identifier, sid });
    expect(events.at(-1)).toEqual({ kind: "disconnect", account: ACCOUNT });

    const log = logMessages(run.stdout);
    expect(log).toContain("← welcome");
    expect(log).toContain("← confirm_subscription");
    expect(log.filter((m) => m === "→ partial" || m === "→ final" || m === "→ error")).toHaveLength(7);
    expect(log).toContain("hung up");
  });

  it("replays hello-world.yml with its CallSid and what pocketsphinx heard in the inbound audio", async () => {
    const recording = parseRecording(readFileSync(recordingPath("hello-world"), "utf8"), { ACCOUNT_SID: ACCOUNT });
    const expected = scheduleUtterances(await recognizeMulaw(trackAudio(recording, "inbound")), sequentialIds()).map((s) => s.result);

    const run = await simulate(["--url", cable.url, "--replay", "hello-world", "--speed", "4"], { TWILIO_ACCOUNT_SID: ACCOUNT });
    expect(run.code, run.stderr.join("\n")).toBe(0);

    const sid = recording.callSid;
    const callEvents = await waitForHangUp(sid);
    expect(events[0]).toEqual({ kind: "connect", header: ACCOUNT, accepted: true });
    expect(callEvents[0]).toEqual({ kind: "subscribe", identifier: `{"channel":"twilio","sid":"${sid}"}`, sid });
    const received = results(callEvents);
    expect(received.map(({ text, final, event }) => ({ text, final, event }))).toEqual(
      expected.map(({ text, final, event }) => ({ text, final, event })),
    );
    expectUtteranceIds(received);
    expect(callEvents.at(-1)?.kind).toBe("unsubscribed");
  });

  it("exits non-zero with a clear message when the application refuses the account", async () => {
    const run = await simulate(["--url", cable.url, "--account", "ACwrong", "--speed", "50"]);
    expect(run.code).toBe(1);
    expect(run.stderr.join("\n")).toMatch(/simulate: connection refused by the application: unauthorized/);
    expect(events[0]).toEqual({ kind: "connect", header: "ACwrong", accepted: false });
    expect(events.some((e) => e.kind === "subscribe")).toBe(false);
  });

  it("exits non-zero with a clear message when the subscription is rejected", async () => {
    const run = await simulate(["--url", cable.url, "--account", ACCOUNT, "--sid", REJECTED_SID, "--speed", "50"]);
    expect(run.code).toBe(1);
    expect(run.stderr.join("\n")).toContain(
      `simulate: subscription {"channel":"twilio","sid":"${REJECTED_SID}"} was rejected by the application`,
    );
    expect(eventsOf(REJECTED_SID).some((e) => e.kind === "message")).toBe(false);
  });

  it("exits non-zero with a clear message when nothing listens at the URL", async () => {
    const port = await freePort();
    const run = await simulate(["--url", `ws://127.0.0.1:${port}/cable`, "--account", ACCOUNT]);
    expect(run.code).toBe(1);
    expect(run.stderr.join("\n")).toContain(`simulate: connection refused by ws://127.0.0.1:${port}/cable: is anycable-go running there?`);
  });

  it("hangs up cleanly on Ctrl-C in the middle of a call", async () => {
    const sid = "CAfedcba9876543210fedcba9876543210";
    const long = scriptFile("long.json", {
      wordMs: 500,
      pauseMs: 500,
      steps: Array.from({ length: 20 }, (_, i) => `phrase number ${i} of a long call`),
    });
    const sim = await startSimulator(["--url", cable.url, "--account", ACCOUNT, "--sid", sid, "--script", long]);
    await waitFor(() => eventsOf(sid).some((e) => e.kind === "message"), {
      timeoutMs: 30_000,
      description: "the first result",
      details: () => sim.proc.logs(),
    });
    sim.proc.signal("SIGINT");
    const run = await sim.done;
    expect(run.code, run.stderr.join("\n")).toBe(0);
    const callEvents = await waitForHangUp(sid);
    expect(results(callEvents).length).toBeLessThan(20 * 7);
    expect(logMessages(run.stdout)).toContain("hung up");
  });

  it("--dry-run prints exactly the frames, one per line, without connecting", async () => {
    const sid = "CA0123456789abcdef0123456789abcdef";
    const script = scriptFile("dry.json", { steps: ["one two", { error: "boom" }] });
    const run = await simulate(["--dry-run", "--url", "ws://127.0.0.1:9/cable", "--sid", sid, "--script", script]);
    expect(run.code, run.stderr.join("\n")).toBe(0);
    const identifier = `{"channel":"twilio","sid":"${sid}"}`;
    const frames = run.stdout.map((line) => JSON.parse(line) as { command: string; identifier: string; data?: string });
    expect(frames[0]).toEqual({ command: "subscribe", identifier });
    expect(frames.slice(1).map((f) => JSON.parse(f.data!) as { action: string; result: TranscriptResult })).toEqual([
      { action: "handle_message", result: { id: expect.any(String), text: "one", final: false, event: "transcript" } },
      { action: "handle_message", result: { id: expect.any(String), text: "one two", final: true, event: "transcript" } },
      { action: "handle_message", result: { id: "", text: "boom", final: false, event: "error" } },
    ]);
    expect(frames.every((f) => f.identifier === identifier)).toBe(true);
    expect(logMessages(run.stderr)).toContain("dry run: frames follow on stdout");
    expect(events).toEqual([]);
  });

  it("exits 2 with the offending step when a script is invalid", async () => {
    const script = scriptFile("bad.json", { steps: ["fine", { shout: "no" }] });
    const run = await simulate(["--dry-run", "--script", script]);
    expect(run.code).toBe(2);
    expect(run.stderr.join("\n")).toMatch(/steps\[1\]: expected a phrase string/);
  });
});
