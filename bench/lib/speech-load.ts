// One speech-recognition load step in its own process, so its CPU is measured alone: K streams
// of a recognizer fed a repository recording's inbound audio at real-time pace (one 20 ms frame
// per stream per tick, starts spread over a second like calls arriving), then ended. Prints one
// JSON line: CPU seconds (this process and the decoders it reaped), lag after the last frame,
// results and drops. Config in BENCH_CHILD_CONFIG.
import { readFileSync } from "node:fs";
import { decodeMulaw } from "../../channels/media-stream/mulaw.js";
import { parseRecording, trackAudio } from "../../channels/media-stream/recording.js";
import { recordingPath, recordingSentences } from "../../channels/recordings/repository-recordings.js";
import { startFakeVosk, type RunningFakeVosk } from "../../channels/tools/fake-vosk/fake-vosk-server.js";
import { PocketsphinxRecognizer } from "../../channels/speech/pocketsphinx/streaming-recognizer.js";
import type { Recognizer, SpeechResult } from "../../channels/speech/recognizer.js";
import { VoskRecognizer } from "../../channels/speech/vosk/vosk-recognizer.js";
import { silentLogger } from "anycable-ts";

export interface SpeechLoadConfig {
  recognizer: "fake-vosk" | "pocketsphinx";
  streams: number;
  audioSeconds: number;
  /** Bound on end(): a stream that needs longer has fallen behind for good. */
  endTimeoutMs: number;
}

export interface SpeechLoadResult {
  cpuSeconds: number;
  wallSeconds: number;
  /** Seconds from a stream's last frame to its end() resolving: the decoder's backlog. */
  maxLagSeconds: number;
  finals: number;
  errors: number;
  drops: number;
}

const FRAME = 160;

/** utime + stime + cutime + cstime of this process, in seconds (cutime: children it has reaped). */
function ownCpuSeconds(): number {
  const stat = readFileSync("/proc/self/stat", "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / 100;
}

function loopedAudio(seconds: number): Int16Array {
  const recording = parseRecording(readFileSync(recordingPath("hello-world"), "utf8"));
  const once = decodeMulaw(trackAudio(recording, "inbound"));
  const out = new Int16Array(Math.round(seconds * 8000));
  for (let offset = 0; offset < out.length; offset += once.length) out.set(once.subarray(0, out.length - offset), offset);
  return out;
}

async function run(config: SpeechLoadConfig): Promise<SpeechLoadResult> {
  const logger = silentLogger();
  const audio = loopedAudio(config.audioSeconds);
  const frames = Math.ceil(audio.length / FRAME);
  let fake: RunningFakeVosk | undefined;
  let recognizer: Recognizer;
  if (config.recognizer === "fake-vosk") {
    fake = await startFakeVosk({ phrases: recordingSentences("hello-world"), logger });
    recognizer = new VoskRecognizer({ host: fake.address, logger });
  } else {
    recognizer = new PocketsphinxRecognizer({ logger });
  }
  let finals = 0;
  let errors = 0;
  let drops = 0;
  const onResult = (result: SpeechResult) => {
    if (result.event === "error") {
      errors++;
      if (result.text.includes("falling behind")) drops++;
    } else if (result.final) finals++;
  };
  const cpuBefore = ownCpuSeconds();
  const started = performance.now();
  const lags = await Promise.all(
    Array.from({ length: config.streams }, async (_, index) => {
      // calls arrive spread over the first second
      await new Promise((resolve) => setTimeout(resolve, (1000 * index) / config.streams));
      const stream = recognizer.start({ callSid: `CA${index}`, onResult });
      const t0 = performance.now();
      let sent = 0;
      await new Promise<void>((resolve) => {
        const timer = setInterval(() => {
          const due = Math.min(frames, Math.floor((performance.now() - t0) / 20) + 1);
          for (; sent < due; sent++) stream.write(audio.subarray(sent * FRAME, (sent + 1) * FRAME));
          if (sent >= frames) {
            clearInterval(timer);
            resolve();
          }
        }, 20);
      });
      const lastFrame = performance.now();
      await stream.end(config.endTimeoutMs);
      return (performance.now() - lastFrame) / 1000;
    }),
  );
  const wallSeconds = (performance.now() - started) / 1000;
  await recognizer.close();
  // reap what close() killed, so their CPU lands in cutime
  await new Promise((resolve) => setTimeout(resolve, 300));
  const cpuSeconds = ownCpuSeconds() - cpuBefore;
  await fake?.close();
  return { cpuSeconds, wallSeconds, maxLagSeconds: Math.max(...lags), finals, errors, drops };
}

const config = JSON.parse(process.env.BENCH_CHILD_CONFIG ?? "{}") as SpeechLoadConfig;
run(config).then(
  (result) => {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.exit(0);
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
