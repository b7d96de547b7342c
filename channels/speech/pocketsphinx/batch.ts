// Speech recognition of a whole recording at once with pocketsphinx_continuous (see
// decoder.ts for the model and flags): the simulator's replay mode and tests use it.
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeMulaw, toPcm16le } from "../../media-stream/mulaw.js";
import { DECODER_DEFAULTS, POCKETSPHINX_INSTALL_HINT, RecognizerError, SOX_INSTALL_HINT, resampleArgs } from "./decoder.js";
import { parsePocketsphinxOutput, type Utterance } from "./output.js";

export { RecognizerError } from "./decoder.js";
export { utteranceText, type Utterance, type RecognizedWord } from "./output.js";

export interface RecognizerOptions {
  /** Defaults to `pocketsphinx_continuous` on PATH. */
  pocketsphinx?: string;
  /** Defaults to `sox` on PATH. */
  sox?: string;
  /** Extra decoder flags, e.g. ["-hmm", dir, "-lm", file, "-dict", file] for another model. */
  extraArgs?: readonly string[];
  /** Bound on the whole recognition; pocketsphinx runs at a fraction of real time. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

interface Finished {
  stdout: string;
  stderrTail: string[];
}

function run(command: string, args: readonly string[], signal: AbortSignal, installHint: string): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], signal });
    let stdout = "";
    const stderrTail: string[] = [];
    let partial = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    // pocketsphinx logs a lot of INFO lines; only the end matters when something fails.
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      const lines = (partial + chunk).split("\n");
      partial = lines.pop() ?? "";
      stderrTail.push(...lines.filter((l) => l.trim() !== ""));
      if (stderrTail.length > 40) stderrTail.splice(0, stderrTail.length - 40);
    });
    child.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") reject(new RecognizerError(`${command} not found: ${installHint}`));
      else if (error.name === "AbortError")
        reject(new RecognizerError(`${command} stopped: ${signal.reason instanceof Error ? signal.reason.message : "aborted"}`));
      else reject(new RecognizerError(`${command} failed to start: ${error.message}`));
    });
    child.on("close", (code, signalName) => {
      if (partial.trim()) stderrTail.push(partial);
      if (code === 0) return resolve({ stdout, stderrTail });
      const errors = stderrTail.filter((l) => /error|fatal/i.test(l));
      const detail = (errors.length ? errors : stderrTail).slice(-3).join(" | ");
      reject(new RecognizerError(`${command} exited with ${code ?? signalName}${detail ? `: ${detail}` : ""}`));
    });
  });
}

/** Recognises 8 kHz µ-law audio (a Twilio track). Returns the utterances pocketsphinx found. */
export async function recognizeMulaw(audio: Uint8Array, options: RecognizerOptions = {}): Promise<Utterance[]> {
  return recognizePcm8k(decodeMulaw(audio), options);
}

/** Recognises 8 kHz 16-bit linear audio. */
export async function recognizePcm8k(samples: Int16Array, options: RecognizerOptions = {}): Promise<Utterance[]> {
  if (samples.length === 0) return [];
  const signals = [AbortSignal.timeout(options.timeoutMs ?? 120_000)];
  if (options.signal) signals.push(options.signal);
  const signal = AbortSignal.any(signals);
  const dir = await mkdtemp(join(tmpdir(), "simulator-asr-"));
  try {
    // Files rather than pipes: pocketsphinx_continuous only reads a named -infile, and
    // /dev/stdin cannot be opened when Node's child stdio is a socket.
    const input = join(dir, "call-8k.raw");
    const wide = join(dir, "call-16k.raw");
    await writeFile(input, toPcm16le(samples));
    await run(options.sox ?? "sox", resampleArgs(input, wide), signal, SOX_INSTALL_HINT);
    const { stdout } = await run(
      options.pocketsphinx ?? "pocketsphinx_continuous",
      ["-infile", wide, "-time", "yes", ...DECODER_DEFAULTS, ...(options.extraArgs ?? [])],
      signal,
      POCKETSPHINX_INSTALL_HINT,
    );
    return parsePocketsphinxOutput(stdout);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
