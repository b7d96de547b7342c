// The media-stream bridge under load: its CPU per second of call audio, and how many
// simultaneous real-time calls it sustains on this machine with the fake Vosk recognizer and
// with pocketsphinx. Two bridge processes (one per recognizer) run side by side against one
// real anycable-go and the call monitor's RPC server; rungs alternate between them. Calls are
// played by Twilio's rules (signed upgrade, stream token, 20 ms µ-law frames at real time).
// The fake Vosk server runs in its own process, so the bridge's numbers are the bridge's (and,
// for pocketsphinx, of the decoders it runs as children).
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { connect } from "node:net";
import { loadavg } from "node:os";
import { createCallMonitorApplication } from "../channels/cable/call-monitor-application.js";
import { CALL_MONITOR_HEADERS } from "../channels/cable/protocol.js";
import { STREAM_TOKEN_PARAMETER, StreamTokens } from "../channels/credentials/stream-token.js";
import { parseRecording, type Recording } from "../channels/media-stream/recording.js";
import { playMediaStream } from "../channels/media-stream/stream-player.js";
import { recordingPath, recordingSentences } from "../channels/recordings/repository-recordings.js";
import { MemoryCallRegistry } from "../channels/calls/memory-call-registry.js";
import { silentLogger, startRpcServer, type RunningRpcServer } from "anycable-ts";
import { startAnycableGo, type AnycableGo } from "../test/support/anycable-go.js";
import { REPO_ROOT } from "../test/support/binaries.js";
import { freePort, LOOPBACK } from "../test/support/ports.js";
import { RecordingBroadcaster } from "../test/fixtures/recording-broadcaster.js";
import type { BenchContext } from "./lib/context.js";
import type { BenchResult, Cell, Target } from "./lib/report.js";
import { median } from "./lib/stats.js";
import { randomCallSid } from "../channels/calls/call-sid.js";

const ACCOUNT = "AC0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b";
const AUTH_TOKEN = "bench-auth-token";
const SECRET = "bench-bridge-secret-0123456789abcdef";
const STREAM_URL = "wss://calls.example.test/twilio/stream";

type Recognizer = "fake-vosk" | "pocketsphinx";

interface Rung {
  recognizer: Recognizer;
  calls: number;
  audioSeconds: number;
  cpuSeconds: number;
  wallSeconds: number;
  completed: number;
  finals: number;
  expectedFinals: number;
  errors: number;
  sustained: boolean;
}

/** utime + stime + cutime + cstime of a process (cutime: the decoders it reaped), in seconds. */
function processCpu(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / 100;
}

async function listening(port: number, child: ChildProcess, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}`);
    const up = await new Promise<boolean>((resolve) => {
      const socket = connect(port, LOOPBACK, () => {
        socket.end();
        resolve(true);
      });
      socket.on("error", () => resolve(false));
    });
    if (up) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what} did not listen on ${port}`);
}

function startNode(script: string, args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", script, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, LOG_LEVEL: "warn", ANYCABLE_LOG_FORMAT: "json", ...env },
    stdio: ["ignore", "ignore", "inherit"],
    detached: true,
  });
}

function stopGroup(child: ChildProcess | undefined): void {
  if (child?.pid === undefined || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    // gone
  }
}

/** The recording's media repeated `times` times: a longer call of the same known sentences. */
function repeated(recording: Recording, times: number): Recording {
  const handshake = recording.steps.filter((s) => s.kind === "send" && (s.frame.event === "connected" || s.frame.event === "start"));
  const body = recording.steps.filter((s) => !(s.kind === "send" && s.frame.event !== "media"));
  const stop = recording.steps.filter((s) => s.kind === "send" && s.frame.event === "stop");
  const steps = [...handshake, ...Array.from({ length: times }, () => body).flat(), ...stop];
  return {
    ...recording,
    steps,
    media: { inbound: Array.from({ length: times }, () => recording.media.inbound).flat(), outbound: [] },
    durationSeconds: recording.durationSeconds * times,
  };
}

export async function bridgeUnderLoad(ctx: BenchContext): Promise<BenchResult> {
  const logger = silentLogger();
  const times = ctx.smoke ? 1 : 3;
  const recording = repeated(parseRecording(readFileSync(recordingPath("hello-world"), "utf8")), times);
  const audioSeconds = recording.media.inbound.length * 0.02;
  const finalsPerCall = recordingSentences("hello-world").length * times;
  const ladders: Record<Recognizer, number[]> = ctx.smoke
    ? { "fake-vosk": [1, 3], pocketsphinx: [1] }
    : { "fake-vosk": [1, 10, 25, 50, 100, 150], pocketsphinx: [1, 2, 3, 4, 6, 8, 12, 16] };

  let rpc: RunningRpcServer | undefined;
  let anycable: AnycableGo | undefined;
  const children: ChildProcess[] = [];
  try {
    const registry = new MemoryCallRegistry();
    const app = createCallMonitorApplication({ env: { TWILIO_ACCOUNT_SID: ACCOUNT, TWILIO_BRIDGE_SECRET: SECRET }, logger, registry });
    rpc = await startRpcServer({ app, broadcaster: new RecordingBroadcaster(), logger, config: { host: `${LOOPBACK}:0` }, env: {} });
    // transcripts and errors per call, as the application receives them
    const received = new Map<string, { finals: number; errors: number }>();
    const command = rpc.handler.command.bind(rpc.handler);
    rpc.handler.command = async (request, meta) => {
      const response = await command(request, meta);
      if (request.command === "message" && request.data.includes('"handle_message"')) {
        const sid = /"sid":"([^"]+)"/.exec(request.identifier)?.[1] ?? "";
        const entry = received.get(sid) ?? { finals: 0, errors: 0 };
        if (request.data.includes('"event":"error"')) entry.errors++;
        else if (request.data.includes('"final":true')) entry.finals++;
        received.set(sid, entry);
      }
      return response;
    };
    anycable = await startAnycableGo({ rpcHost: `${LOOPBACK}:${rpc.port}`, headers: CALL_MONITOR_HEADERS });

    const voskPort = await freePort();
    const fakeVosk = startNode(
      "channels/tools/fake-vosk/cli.ts",
      ["--listen", `${LOOPBACK}:${voskPort}`, "--recording", "hello-world"],
      {},
    );
    children.push(fakeVosk);
    await listening(voskPort, fakeVosk, "fake Vosk");

    const bridges = {} as Record<Recognizer, { port: number; child: ChildProcess }>;
    for (const recognizer of ["fake-vosk", "pocketsphinx"] as const) {
      const port = await freePort();
      const child = startNode("channels/bridge/main.ts", [], {
        TWILIO_BRIDGE_HOST: `${LOOPBACK}:${port}`,
        CABLE_URL: anycable.url,
        TWILIO_STREAM_URL: STREAM_URL,
        TWILIO_AUTH_TOKEN: AUTH_TOKEN,
        TWILIO_ACCOUNT_SID: ACCOUNT,
        TWILIO_BRIDGE_SECRET: SECRET,
        TWILIO_BRIDGE_MAX_STREAMS: "1000",
        SPEECH_RECOGNIZER: recognizer === "fake-vosk" ? "vosk" : "pocketsphinx",
        VOSK_RPC_HOST: `${LOOPBACK}:${voskPort}`,
      });
      children.push(child);
      await listening(port, child, `bridge (${recognizer})`);
      bridges[recognizer] = { port, child };
    }
    const tokens = new StreamTokens(SECRET);
    let pocketsphinxBaseline: number | undefined;

    const runRung = async (recognizer: Recognizer, calls: number): Promise<Rung> => {
      const { port, child } = bridges[recognizer];
      const sids = Array.from({ length: calls }, randomCallSid);
      const cpuBefore = processCpu(child.pid!);
      const started = performance.now();
      const outcomes = await Promise.all(
        sids.map(async (callSid, index) => {
          await new Promise((resolve) => setTimeout(resolve, (1000 * index) / calls));
          return playMediaStream({
            connectUrl: `ws://${LOOPBACK}:${port}/`,
            streamUrl: STREAM_URL,
            authToken: AUTH_TOKEN,
            accountSid: ACCOUNT,
            callSid,
            customParameters: { [STREAM_TOKEN_PARAMETER]: tokens.mint(callSid) },
            recording,
            timeoutMs: 30_000,
            logger,
          }).catch(() => undefined);
        }),
      );
      // the bridge flushes final results before Disconnect; give stragglers a moment to land
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const wallSeconds = (performance.now() - started) / 1000;
      const cpuSeconds = processCpu(child.pid!) - cpuBefore;
      const tallies = sids.map((sid) => received.get(sid) ?? { finals: 0, errors: 0 });
      const finals = tallies.reduce((n, t) => n + t.finals, 0);
      const errors = tallies.reduce((n, t) => n + t.errors, 0);
      const completed = outcomes.filter((o) => o?.completed).length;
      // fake Vosk: every phrase of every call, exactly. pocketsphinx: at least 80% of the finals
      // one call alone gets (its first rung), per call: a decoder that falls behind is cut off
      // at hang-up with phrases still queued, which shows as missing finals.
      const expectedFinals = recognizer === "fake-vosk" ? finalsPerCall * calls : (pocketsphinxBaseline ?? 1) * calls;
      const heard =
        recognizer === "fake-vosk"
          ? tallies.every((t) => t.finals === finalsPerCall)
          : tallies.every((t) => t.finals >= 1) && finals >= 0.8 * expectedFinals;
      if (recognizer === "pocketsphinx" && pocketsphinxBaseline === undefined && finals > 0) pocketsphinxBaseline = finals / calls;
      const sustained = completed === calls && errors === 0 && heard;
      return { recognizer, calls, audioSeconds, cpuSeconds, wallSeconds, completed, finals, expectedFinals, errors, sustained };
    };

    const rungs: Rung[] = [];
    const failed = new Set<Recognizer>();
    const height = Math.max(ladders["fake-vosk"].length, ladders.pocketsphinx.length);
    for (let i = 0; i < height; i++) {
      for (const recognizer of ["fake-vosk", "pocketsphinx"] as const) {
        const calls = ladders[recognizer][i];
        if (calls === undefined || failed.has(recognizer)) continue;
        ctx.progress(`bridge: ${calls} simultaneous calls of ${audioSeconds.toFixed(1)} s, ${recognizer}`);
        const rung = await runRung(recognizer, calls);
        if (!rung.sustained) failed.add(recognizer);
        rungs.push(rung);
      }
    }
    return summarise(rungs, audioSeconds);
  } finally {
    for (const child of children.reverse()) stopGroup(child);
    await anycable?.stop();
    await rpc?.stop();
  }
}

function summarise(rungs: Rung[], audioSeconds: number): BenchResult {
  const perAudioSecond = (r: Rung) => r.cpuSeconds / (r.calls * r.audioSeconds);
  const of = (recognizer: Recognizer) => {
    const mine = rungs.filter((r) => r.recognizer === recognizer);
    const sustained = mine.filter((r) => r.sustained);
    return {
      cpuPerAudioSecond: median((sustained.length ? sustained : mine).map(perAudioSecond)),
      maxCalls: sustained.length ? Math.max(...sustained.map((r) => r.calls)) : 0,
      top: mine.every((r) => r.sustained),
    };
  };
  const fake = of("fake-vosk");
  const pocketsphinx = of("pocketsphinx");
  const row = (name: string, s: ReturnType<typeof of>): Cell[] => [
    name,
    s.cpuPerAudioSecond * 1000,
    2 / s.cpuPerAudioSecond,
    `${s.maxCalls}${s.top ? "+" : ""}`,
  ];
  const targets: Target[] = [
    {
      description: "the bridge with the fake recognizer carries 20 simultaneous real-time calls",
      met: fake.maxCalls >= 20,
      value: `${fake.maxCalls}${fake.top ? "+" : ""} calls`,
    },
  ];
  return {
    name: "bridge",
    title: "Media-stream bridge: CPU per second of call audio, simultaneous real-time calls",
    tables: [
      {
        title: "Per recognizer (bridge process, decoders included; medians over the sustained rungs)",
        columns: ["bridge with", "CPU ms per audio s", "calls 2 cores could carry by CPU", "real-time calls sustained"],
        rows: [row("fake Vosk (own process, not counted)", fake), row("pocketsphinx (children counted)", pocketsphinx)],
        digits: [undefined, 1, 0, undefined],
        notes: [
          `pocketsphinx costs ${(pocketsphinx.cpuPerAudioSecond / fake.cpuPerAudioSecond).toFixed(0)}× the bridge's CPU with the fake per second of audio (sox's resampling is not counted: it is reaped by init, ~2 ms per audio s in bench/speech.ts).`,
          "Sustained: every call played to its stop frame, no error result, and its phrases delivered (fake: all of them, exactly; pocketsphinx: a final for every call and at least 80% of the finals one call alone gets, since a decoder that falls behind is cut off at hang-up).",
          "pocketsphinx's CPU per audio second falls on overloaded rungs because decoders cut off at hang-up never decode their backlog: compare finals there, not CPU.",
          `load average when the table was made: ${loadavg()
            .map((l) => l.toFixed(1))
            .join(", ")} (1, 5, 15 min) on 2 cores`,
          "Calls start spread over one second; anycable-go, the RPC server and the players share the same two cores with the bridge (and with other people's work).",
        ],
      },
      {
        title: `Every rung (${audioSeconds.toFixed(1)} s calls; fake and pocketsphinx rungs alternate)`,
        columns: [
          "recognizer",
          "calls",
          "CPU ms per audio s",
          "bridge CPU % of 2 cores",
          "completed",
          "finals",
          "expected",
          "errors",
          "sustained",
        ],
        rows: rungs.map((r) => [
          r.recognizer,
          r.calls,
          perAudioSecond(r) * 1000,
          (100 * r.cpuSeconds) / r.wallSeconds / 2,
          r.completed,
          r.finals,
          r.recognizer === "fake-vosk" ? r.expectedFinals : `≥${Math.ceil(0.8 * r.expectedFinals)}`,
          r.errors,
          r.sustained ? "yes" : "no",
        ]),
        digits: [undefined, 0, 1, 0, 0, 0, undefined, 0, undefined],
      },
    ],
    data: { rungs, medians: { fake, pocketsphinx } },
    targets,
  };
}
