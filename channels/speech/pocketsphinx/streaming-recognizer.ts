// Streaming recognition without a server: one long-running `pocketsphinx_continuous` per call,
// fed the call's audio as it arrives (sox resamples to the model's 16 kHz on the way). Its own
// voice activity detector cuts the stream at silences and it prints each utterance as soon as
// the caller pauses, so a final result per phrase arrives while the call goes on.
//
// The 0.8 CLI prints no partial hypotheses. Partials from growing prefixes would mean a new
// process per prefix, and loading the en-us model alone costs ~0.7 s of CPU per process on
// this machine (bench/speech.ts), so this recognizer sends finals only: the cost of a call is
// one model load plus ~0.3–0.4 s of CPU per second of audio.
import { spawn, type ChildProcessByStdio } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable, Writable } from "node:stream";
import type { Logger } from "pino";
import { samplesIn, toPcm16le } from "../audio-format.js";
import { OverflowGuard } from "../overflow-guard.js";
import type { RecognitionStream, RecognitionStreamOptions, Recognizer, SpeechResult } from "../recognizer.js";
import { PhraseIds, errorResult } from "../results.js";
import { DECODER_DEFAULTS, POCKETSPHINX_INSTALL_HINT, SOX_INSTALL_HINT, resampleArgs } from "./decoder.js";
import { parsePocketsphinxOutput, utteranceText } from "./output.js";
import { awaitFinals } from "../await-finals.js";

export interface PocketsphinxRecognizerOptions {
  logger: Logger;
  /** Defaults to `pocketsphinx_continuous` on PATH (POCKETSPHINX_BIN). */
  pocketsphinx?: string;
  /** Defaults to `sox` on PATH (SOX_BIN). */
  sox?: string;
  /** Extra decoder flags, e.g. ["-hmm", dir, "-lm", file, "-dict", file] for another model. */
  extraArgs?: readonly string[];
  /** Audio allowed to wait for a decoder that runs slower than real time before it is dropped. */
  maxBufferedMs?: number;
  /** First wait before restarting a crashed decoder; doubles up to `maxRetryMs`. */
  retryMs?: number;
  maxRetryMs?: number;
  newId?: () => string;
}

type Settings = Required<Omit<PocketsphinxRecognizerOptions, "newId">> & Pick<PocketsphinxRecognizerOptions, "newId">;
type Decoder = ChildProcessByStdio<Writable, Readable, Readable>;

/** A word-time line that closes an utterance in `-time yes` output. */
const UTTERANCE_END = /^<\/s> \S+ \S+ \S+$/;

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

export class PocketsphinxRecognizer implements Recognizer {
  readonly name = "pocketsphinx";
  readonly #settings: Settings;
  readonly #streams = new Set<PocketsphinxStream>();

  constructor(options: PocketsphinxRecognizerOptions) {
    this.#settings = {
      logger: options.logger,
      pocketsphinx: options.pocketsphinx ?? "pocketsphinx_continuous",
      sox: options.sox ?? "sox",
      extraArgs: options.extraArgs ?? [],
      maxBufferedMs: options.maxBufferedMs ?? 5_000,
      retryMs: options.retryMs ?? 1_000,
      maxRetryMs: options.maxRetryMs ?? 30_000,
      newId: options.newId,
    };
  }

  start(options: RecognitionStreamOptions): RecognitionStream {
    const stream = new PocketsphinxStream(this.#settings, options, () => this.#streams.delete(stream));
    this.#streams.add(stream);
    return stream;
  }

  async close(): Promise<void> {
    for (const stream of [...this.#streams]) stream.close();
  }
}

class PocketsphinxStream implements RecognitionStream {
  readonly #settings: Settings;
  readonly #logger: Logger;
  readonly #onResult: (result: SpeechResult) => void;
  readonly #ids: PhraseIds;
  readonly #guard: OverflowGuard;
  readonly #forget: () => void;

  #state: "open" | "ending" | "done" = "open";
  #decoder: Decoder | undefined;
  #retryAt = 0;
  #backoff: number;
  #finished: (() => void) | undefined;

  constructor(settings: Settings, stream: RecognitionStreamOptions, forget: () => void) {
    this.#settings = settings;
    this.#logger = settings.logger.child({ callSid: stream.callSid, recognizer: "pocketsphinx" });
    this.#onResult = stream.onResult;
    this.#ids = new PhraseIds(settings.newId);
    this.#backoff = settings.retryMs;
    this.#forget = forget;
    this.#guard = new OverflowGuard({
      maxSamples: samplesIn(settings.maxBufferedMs),
      logger: this.#logger,
      onResult: (result) => this.#deliver(result),
      recognizer: "pocketsphinx",
    });
    // The model loads while the first audio arrives.
    this.#spawn();
  }

  write(pcm: Int16Array): void {
    if (this.#state !== "open" || pcm.length === 0) return;
    if (!this.#decoder) {
      if (Date.now() < this.#retryAt) return;
      this.#spawn();
    }
    const stdin = this.#decoder!.stdin;
    // Bytes Node still holds for the pipe: the decoder (or sox before it) is not keeping up.
    if (!this.#guard.admit(stdin.writableLength / 2, pcm.length)) return;
    stdin.write(toPcm16le(pcm));
  }

  end(timeoutMs: number): Promise<void> {
    if (this.#state !== "open") return Promise.resolve();
    this.#state = "ending";
    const decoder = this.#decoder;
    if (!decoder) {
      this.close();
      return Promise.resolve();
    }
    return awaitFinals({
      timeoutMs,
      onTimeout: () => this.#logger.warn({ timeoutMs }, "pocketsphinx: final results did not arrive in time"),
      onFinish: () => {
        this.#finished = undefined;
        this.close();
      },
      start: (finish) => {
        this.#finished = finish;
        // End of input: pocketsphinx decodes what is left and exits.
        decoder.stdin.end();
      },
    });
  }

  close(): void {
    if (this.#state === "done" && !this.#decoder) return;
    this.#state = "done";
    const decoder = this.#decoder;
    this.#decoder = undefined;
    if (decoder) this.#kill(decoder);
    this.#forget();
    this.#finished?.();
  }

  #deliver(result: SpeechResult): void {
    if (this.#state !== "done") this.#onResult(result);
  }

  #spawn(): void {
    const { sox, pocketsphinx, extraArgs } = this.#settings;
    // pocketsphinx_continuous reads only a named -infile, and /dev/stdin cannot be opened when
    // it is the socket Node gives a child: sox resamples our stdin into a FIFO it reads. The
    // shell then becomes pocketsphinx (exec), so the child's exit status is the decoder's.
    const dir = mkdtempSync(join(tmpdir(), "pocketsphinx-"));
    const fifo = join(dir, "audio-16k.raw");
    const script = [
      `mkfifo ${shellQuote(fifo)} || exit 1`,
      // An asynchronous list reads /dev/null unless given our stdin explicitly.
      "exec 3<&0",
      // sox would open a named output read-write, which never waits for the reader: a short
      // call then fits the pipe buffer, sox exits, and the data is gone before pocketsphinx
      // opens the FIFO. The shell's `>` opens it write-only, which waits for the reader.
      `${[sox, ...resampleArgs("-", "-")].map(shellQuote).join(" ")} <&3 3<&- >${shellQuote(fifo)} &`,
      `exec ${[pocketsphinx, "-infile", fifo, "-time", "yes", ...DECODER_DEFAULTS, ...extraArgs].map(shellQuote).join(" ")} 3<&-`,
    ].join("\n");
    // Its own process group, so stopping the decoder stops sox with it.
    const decoder = spawn("sh", ["-c", script], { stdio: ["pipe", "pipe", "pipe"], detached: true });
    this.#decoder = decoder;
    decoder.on("close", () => rmSync(dir, { recursive: true, force: true }));
    const stderrTail: string[] = [];
    let stdoutRest = "";
    let block: string[] = [];
    decoder.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      const lines = (stdoutRest + chunk).split("\n");
      stdoutRest = lines.pop() ?? "";
      for (const line of lines) {
        block.push(line);
        if (!UTTERANCE_END.test(line.trim())) continue;
        for (const utterance of parsePocketsphinxOutput(block.join("\n"))) {
          const text = utteranceText(utterance);
          if (text !== "") this.#deliver(this.#ids.transcript(text, true));
        }
        block = [];
      }
      if (this.#decoder === decoder) this.#backoff = this.#settings.retryMs;
    });
    let stderrRest = "";
    // pocketsphinx logs a lot of INFO lines; only the end matters when something fails.
    decoder.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      const lines = (stderrRest + chunk).split("\n");
      stderrRest = lines.pop() ?? "";
      stderrTail.push(...lines.filter((l) => l.trim() !== "" && !l.startsWith("INFO:")));
      if (stderrTail.length > 20) stderrTail.splice(0, stderrTail.length - 20);
    });
    // Writes to a decoder that died are reported by "close" below.
    decoder.stdin.on("error", () => {});
    // When pocketsphinx exits, sox (in the background) may still hold stderr open: stop it.
    decoder.on("exit", () => this.#kill(decoder, true));
    decoder.on("error", (error) => this.#failed(decoder, `pocketsphinx: could not start: ${error.message}`));
    decoder.on("close", (code, signal) => {
      if (this.#decoder !== decoder) return; // killed by close(), or replaced
      this.#decoder = undefined;
      if (code === 0 && this.#state === "ending") return this.#finished?.();
      if (stderrRest.trim() !== "") stderrTail.push(stderrRest.trim());
      const errors = stderrTail.filter((l) => /error|fatal|not found/i.test(l));
      const detail = (errors.length ? errors : stderrTail).slice(-2).join(" | ");
      const ended = code === 0 ? "stopped reading audio" : `exited with ${code ?? signal}`;
      let message = `pocketsphinx: decoder ${ended}${detail ? `: ${detail}` : ""}`;
      if (code === 127) message = `pocketsphinx: ${pocketsphinx} or ${sox} not found: ${POCKETSPHINX_INSTALL_HINT}; ${SOX_INSTALL_HINT}`;
      this.#failed(decoder, message);
    });
  }

  #failed(decoder: Decoder, message: string): void {
    if (this.#decoder === decoder) this.#decoder = undefined;
    this.#kill(decoder);
    this.#ids.restart();
    this.#retryAt = Date.now() + this.#backoff;
    this.#logger.warn({ retryInMs: this.#backoff }, message);
    this.#backoff = Math.min(this.#backoff * 2, this.#settings.maxRetryMs);
    this.#deliver(errorResult(message));
    this.#finished?.();
  }

  /** Kills the decoder's process group (sox included); `exited` when the decoder itself is gone already. */
  #kill(decoder: Decoder, exited = false): void {
    if (decoder.pid === undefined || (!exited && (decoder.exitCode !== null || decoder.signalCode !== null))) return;
    try {
      process.kill(-decoder.pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
}
