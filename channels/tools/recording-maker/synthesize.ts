// Speech from text, as a phone line carries it: espeak-ng speaks each sentence, sox pads it
// with silence (so voice detectors see the pauses between phrases) and squeezes it into
// 8 kHz mono µ-law, what Twilio sends. Deterministic for a given pair of Debian packages.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface SpeakOptions {
  /**
   * espeak-ng voice. en-us+klatt2 at amplitude 50 is the one pocketsphinx's en-us model
   * understands best over a phone band among those tried (see test/integration/channels/speech).
   */
  voice?: string;
  /** Words per minute. */
  speed?: number;
  amplitude?: number;
  /** Silence before the first sentence and after each, in seconds. */
  leadSeconds?: number;
  gapSeconds?: number;
  espeak?: string;
  sox?: string;
}

export const DEFAULT_VOICE = "en-us+klatt2";

async function tool(command: string, args: string[], hint: string): Promise<void> {
  try {
    await run(command, args, { timeout: 60_000 });
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stderr?: string };
    if (failure.code === "ENOENT") throw new Error(`${command} not found: ${hint}`);
    throw new Error(`${command} failed: ${(failure.stderr ?? failure.message).trim()}`);
  }
}

/** The sentences spoken one after another, as 8 kHz µ-law bytes. */
export async function speakMulaw(sentences: readonly string[], options: SpeakOptions = {}): Promise<Buffer> {
  if (sentences.length === 0 || sentences.some((s) => s.trim() === "")) throw new Error("give at least one non-empty sentence");
  const espeak = options.espeak ?? "espeak-ng";
  const sox = options.sox ?? "sox";
  const dir = await mkdtemp(join(tmpdir(), "make-recording-"));
  try {
    const padded: string[] = [];
    for (const [index, sentence] of sentences.entries()) {
      const wav = join(dir, `${index}.wav`);
      const voice = ["-v", options.voice ?? DEFAULT_VOICE, "-s", String(options.speed ?? 160), "-a", String(options.amplitude ?? 50)];
      // "--": a sentence starting with "-" is text, not a flag.
      await tool(espeak, [...voice, "-w", wav, "--", sentence], "install the Debian package espeak-ng");
      const out = join(dir, `${index}-padded.wav`);
      const lead = index === 0 ? (options.leadSeconds ?? 0.5) : 0;
      await tool(sox, ["-V1", wav, out, "pad", String(lead), String(options.gapSeconds ?? 1)], "install the Debian package sox");
      padded.push(out);
    }
    const ulaw = join(dir, "call.ul");
    // -D: no dither, so the same text always gives the same bytes.
    await tool(sox, ["-V1", "-D", ...padded, "-r", "8000", "-c", "1", "-t", "ul", ulaw], "install the Debian package sox");
    return await readFile(ulaw);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
