// Speech recognition cost: CPU per second of call audio and how many real-time calls this
// machine sustains, for the fake Vosk server (through the real Vosk client) and for streaming
// pocketsphinx, stepped up side by side in one run (fake and pocketsphinx steps alternate, so
// noise from the shared machine hits both). Each step runs in its own process
// (bench/lib/speech-load.ts) whose CPU, decoders included, is read from /proc.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadavg } from "node:os";
import { promisify } from "node:util";
import { decodeMulaw, toPcm16le } from "../channels/media-stream/mulaw.js";
import { parseRecording, trackAudio } from "../channels/media-stream/recording.js";
import { recordingPath } from "../channels/recordings/repository-recordings.js";
import { resampleArgs } from "../channels/speech/pocketsphinx/decoder.js";
import { REPO_ROOT } from "../test/support/binaries.js";
import type { BenchContext } from "./lib/context.js";
import type { BenchResult, Cell, Target } from "./lib/report.js";
import type { SpeechLoadConfig, SpeechLoadResult } from "./lib/speech-load.js";
import { median } from "./lib/stats.js";

const run = promisify(execFile);
type RecognizerName = SpeechLoadConfig["recognizer"];

/**
 * A step keeps up when no audio was dropped (the 5 s backlog bound never hit), nothing failed,
 * every stream got its results (fake: every phrase, exactly; pocketsphinx: at least one final)
 * and the decoders finished within this long after the last frame.
 */
const MAX_LAG_SECONDS = 10;

interface Step extends SpeechLoadResult {
  recognizer: RecognizerName;
  streams: number;
  audioSeconds: number;
  sustained: boolean;
}

async function loadStep(config: SpeechLoadConfig): Promise<SpeechLoadResult> {
  const { stdout } = await run(process.execPath, ["--import", "tsx", "bench/lib/speech-load.ts"], {
    cwd: REPO_ROOT,
    env: { ...process.env, BENCH_CHILD_CONFIG: JSON.stringify(config), LOG_LEVEL: "silent" },
    timeout: (config.audioSeconds + 120) * 1000,
    maxBuffer: 1 << 20,
  });
  return JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as SpeechLoadResult;
}

/** CPU seconds of sox resampling `seconds` of call audio: the one process speech-load cannot count (it is not reaped by us). */
async function soxCpuPerAudioSecond(workDir: string, seconds: number): Promise<number> {
  const once = decodeMulaw(trackAudio(parseRecording(readFileSync(recordingPath("hello-world"), "utf8")), "inbound"));
  const audio = new Int16Array(seconds * 8000);
  for (let offset = 0; offset < audio.length; offset += once.length) audio.set(once.subarray(0, audio.length - offset), offset);
  const input = join(workDir, "sox-in.raw");
  writeFileSync(input, toPcm16le(audio));
  const stat = () => {
    const text = readFileSync("/proc/self/stat", "utf8");
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[13]) + Number(fields[14])) / 100;
  };
  const before = stat();
  await run("sox", resampleArgs(input, join(workDir, "sox-out.raw")));
  return (stat() - before) / seconds;
}

export async function speechRecognition(ctx: BenchContext): Promise<BenchResult> {
  const audioSeconds = ctx.smoke ? 3 : 12;
  // the fake answers every utterance of the looped hello-world recording (2 phrases per 4.6 s)
  const finalsPerStream = ctx.smoke ? 2 : 6;
  const ladders: Record<RecognizerName, number[]> = ctx.smoke
    ? { "fake-vosk": [1, 4], pocketsphinx: [1] }
    : { "fake-vosk": [1, 10, 25, 50, 100, 200, 400], pocketsphinx: [1, 2, 3, 4, 6, 8, 12, 16] };
  const steps: Step[] = [];
  const failed = new Set<RecognizerName>();
  const rungs = Math.max(...Object.values(ladders).map((l) => l.length));
  for (let rung = 0; rung < rungs; rung++) {
    for (const recognizer of ["fake-vosk", "pocketsphinx"] as const) {
      const streams = ladders[recognizer][rung];
      // one failed rung is enough: higher ones fail too and only cost time
      if (streams === undefined || failed.has(recognizer)) continue;
      ctx.progress(`speech: ${recognizer}, ${streams} simultaneous real-time streams of ${audioSeconds} s`);
      const result = await loadStep({ recognizer, streams, audioSeconds, endTimeoutMs: 20_000 });
      const expected = recognizer === "fake-vosk" ? result.finals === streams * finalsPerStream : result.finals >= streams;
      const sustained = expected && result.drops === 0 && result.errors === 0 && result.maxLagSeconds <= MAX_LAG_SECONDS;
      if (!sustained) failed.add(recognizer);
      steps.push({ ...result, recognizer, streams, audioSeconds, sustained });
    }
  }
  const soxWork = mkdtempSync(join(ctx.workDir, "sox-"));
  const soxPerSecond = await soxCpuPerAudioSecond(soxWork, ctx.smoke ? 5 : 60);
  rmSync(soxWork, { recursive: true, force: true });

  const perAudioSecond = (s: Step) => s.cpuSeconds / (s.streams * s.audioSeconds) + (s.recognizer === "pocketsphinx" ? soxPerSecond : 0);
  const summary = (recognizer: RecognizerName) => {
    const mine = steps.filter((s) => s.recognizer === recognizer);
    const sustained = mine.filter((s) => s.sustained);
    const cpu = median(sustained.map(perAudioSecond)) ?? median(mine.map(perAudioSecond));
    const maxStreams = sustained.length ? Math.max(...sustained.map((s) => s.streams)) : 0;
    const ladderTop = mine.every((s) => s.sustained);
    return { recognizer, cpuPerAudioSecond: cpu, maxStreams, ladderTop };
  };
  const fake = summary("fake-vosk");
  const pocketsphinx = summary("pocketsphinx");
  const cores = 2;
  const row = (s: ReturnType<typeof summary>): Cell[] => [
    s.recognizer === "fake-vosk" ? "fake Vosk (gRPC client + server)" : "pocketsphinx_continuous + sox",
    s.cpuPerAudioSecond === undefined ? null : s.cpuPerAudioSecond * 1000,
    s.cpuPerAudioSecond ? cores / s.cpuPerAudioSecond : null,
    `${s.maxStreams}${s.ladderTop ? "+" : ""}`,
  ];
  const ratio =
    fake.cpuPerAudioSecond && pocketsphinx.cpuPerAudioSecond
      ? `${(pocketsphinx.cpuPerAudioSecond / fake.cpuPerAudioSecond).toFixed(0)}×`
      : "–";
  const targets: Target[] = [
    {
      description: "pocketsphinx sustains at least one real-time call on this machine",
      met: pocketsphinx.maxStreams >= 1,
      value: `${pocketsphinx.maxStreams} streams`,
    },
  ];
  return {
    name: "speech",
    title: "Speech recognition: CPU per second of call audio, simultaneous real-time calls",
    tables: [
      {
        title: "Per recognizer (medians over the sustained steps)",
        columns: ["recognizer", "CPU ms per audio s", "streams 2 cores could carry by CPU", "real-time streams sustained"],
        rows: [row(fake), row(pocketsphinx)],
        digits: [undefined, 1, 0, undefined],
        notes: [
          `pocketsphinx costs ${ratio} the fake's CPU per second of audio; its row includes sox's resampling (${(soxPerSecond * 1000).toFixed(1)} ms per audio s, measured apart: sox is not reaped by the load process).`,
          `"sustained": no audio dropped, no error, every stream's results (fake: all, exactly; pocketsphinx: at least one final), and end() done within ${MAX_LAG_SECONDS} s of the last frame; a "+" means the ladder's top rung still passed.`,
          "max lag: from a stream's last frame to its last result; on a machine this loaded it is mostly waiting for a CPU, not decoding.",
          `load average when the table was made: ${loadavg()
            .map((l) => l.toFixed(1))
            .join(", ")} (1, 5, 15 min) on 2 cores`,
          "By-CPU capacity is 2 cores / CPU per audio second; the sustained count is what the ladder measured (calls start over one second, the machine is shared).",
        ],
      },
      {
        title: `Every step (fake and pocketsphinx rungs alternate; ${audioSeconds} s of audio per stream)`,
        columns: ["recognizer", "streams", "CPU ms per audio s", "CPU % of 2 cores", "max lag s", "finals", "errors", "sustained"],
        rows: steps.map((s) => [
          s.recognizer,
          s.streams,
          perAudioSecond(s) * 1000,
          (100 * s.cpuSeconds) / s.wallSeconds / cores,
          s.maxLagSeconds,
          s.finals,
          s.errors,
          s.sustained ? "yes" : "no",
        ]),
        digits: [undefined, 0, 1, 0, 2, 0, 0, undefined],
      },
    ],
    data: { steps, soxCpuPerAudioSecond: soxPerSecond, medians: { fake, pocketsphinx } },
    targets,
  };
}
