// Speech recognition for replayed calls with Debian's pocketsphinx (0.8+5prealpha, the
// `pocketsphinx_continuous` CLI and the `pocketsphinx-en-us` model). That version has no JSON
// output: with `-time yes` it prints, per utterance found by its voice activity detector, the
// hypothesis on one line and then one `word start end posterior` line per segment, times in
// seconds from the start of the input. Fillers (<s>, </s>, <sil>, [NOISE], ...) mark the
// utterance bounds; alternative pronunciations come as `word(2)`.
//
// The en-us model is a 16 kHz model and refuses an 8 kHz front end (its feat.params fixes the
// filter bank's upper edge at 6.8 kHz), so phone audio is decoded from µ-law here and resampled
// to 16 kHz by sox: the upper band stays empty, which the model tolerates well enough.
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeMulaw, toPcm16le } from "../media-stream/mulaw.js";

export interface RecognizedWord {
  word: string;
  /** Seconds from the start of the audio. */
  start: number;
  end: number;
  /** pocketsphinx's posterior probability, 0..1. */
  confidence: number;
}

export interface Utterance {
  /** The hypothesis line as printed; "" when the recogniser heard only noise. */
  hypothesis: string;
  words: RecognizedWord[];
  /** Bounds of the whole utterance, silences included. */
  start: number;
  end: number;
}

export class RecognizerError extends Error {
  override name = "RecognizerError";
}

const SEGMENT = /^(\S+) (-?\d+(?:\.\d+)?) (-?\d+(?:\.\d+)?) (-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)$/;
const FILLER = /^(<.*>|\[.*\]|\+\+.*\+\+)$/;

/** Parses what `pocketsphinx_continuous -time yes` prints on stdout. */
export function parsePocketsphinxOutput(stdout: string): Utterance[] {
  type Open = Utterance & { closed: boolean; timed: boolean };
  const utterances: Open[] = [];
  let current: Open | undefined;
  const open = (hypothesis: string): Open => {
    const next: Open = { hypothesis, words: [], start: 0, end: 0, closed: false, timed: false };
    utterances.push(next);
    current = next;
    return next;
  };
  for (const line of stdout.split(/\r?\n/)) {
    const segment = SEGMENT.exec(line.trim());
    if (!segment) {
      // A hypothesis line (possibly empty) opens the next utterance; one that never gets
      // segments, like the empty string after the last newline, is dropped below.
      open(line.trim());
      continue;
    }
    const [, rawWord, startText, endText, posterior] = segment;
    const start = Number(startText);
    const end = Number(endText);
    const utterance = current === undefined || current.closed ? open("") : current;
    if (!utterance.timed) {
      utterance.start = start;
      utterance.timed = true;
    }
    utterance.start = Math.min(utterance.start, start);
    utterance.end = Math.max(utterance.end, end);
    if (rawWord === "</s>") utterance.closed = true;
    if (FILLER.test(rawWord!)) continue;
    utterance.words.push({ word: rawWord!.replace(/\(\d+\)$/, ""), start, end, confidence: Number(posterior) });
  }
  return utterances
    .filter((u) => u.timed || u.hypothesis !== "")
    .map(({ hypothesis, words, start, end }) => ({ hypothesis, words, start, end }));
}

export function utteranceText(utterance: Utterance): string {
  return utterance.words.map((w) => w.word).join(" ");
}

/**
 * Spectral noise subtraction off: phone audio arrives band-limited and already cleaned up by
 * the carrier, and on both recordings and synthetic speech here subtraction cost words
 * ("the capital" in london.yml came out only without it).
 */
const DECODER_DEFAULTS = ["-remove_noise", "no"] as const;

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
    const raw = ["-t", "raw", "-e", "signed-integer", "-b", "16", "-c", "1", "-L"];
    // -D: no dither, so the same call always gives the same transcript.
    await run(
      options.sox ?? "sox",
      ["-V1", "-D", ...raw, "-r", "8000", input, ...raw, "-r", "16000", wide],
      signal,
      "install the Debian package sox",
    );
    const { stdout } = await run(
      options.pocketsphinx ?? "pocketsphinx_continuous",
      ["-infile", wide, "-time", "yes", ...DECODER_DEFAULTS, ...(options.extraArgs ?? [])],
      signal,
      "install the Debian packages pocketsphinx and pocketsphinx-en-us",
    );
    return parsePocketsphinxOutput(stdout);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
