// Real speech recognition end to end: espeak-ng speaks, sox squeezes it into a phone line
// (8 kHz µ-law, what Twilio sends), and the simulator's recogniser transcribes it.
//
// The voice and level were picked by trying several locally: the en-us model does poorly on
// espeak's default voice over a phone band, while the klatt2 variant at amplitude 50 gives
// "hello world" and "america" word for word. The pipeline is deterministic, so this holds
// for a given set of Debian packages.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { RecognizerError, recognizeMulaw, utteranceText } from "../../../channels/speech/pocketsphinx/batch.js";

const work = mkdtempSync(join(tmpdir(), "sim-asr-test-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function speak(name: string, text: string): string {
  const wav = join(work, `${name}.wav`);
  execFileSync("espeak-ng", ["-v", "en-us+klatt2", "-s", "160", "-a", "50", "-w", wav, text], { timeout: 30_000 });
  return wav;
}

/** Any number of WAV files, with a second of silence after each, as one 8 kHz µ-law track. */
function phoneLine(name: string, wavs: string[]): Buffer {
  const padded = wavs.map((wav, i) => {
    const out = join(work, `${name}-${i}.wav`);
    execFileSync("sox", ["-V1", wav, "-r", "22050", "-c", "1", out, "pad", "0", "1"], { timeout: 30_000 });
    return out;
  });
  const ulaw = join(work, `${name}.ul`);
  execFileSync("sox", ["-V1", ...padded, "-r", "8000", "-c", "1", "-t", "ul", ulaw], { timeout: 30_000 });
  return readFileSync(ulaw);
}

describe("the pocketsphinx recogniser", () => {
  it("transcribes a synthesised sentence sent over a µ-law phone line", async () => {
    const audio = phoneLine("hello", [speak("hello", "hello world")]);
    const utterances = await recognizeMulaw(audio, { timeoutMs: 60_000 });
    const transcript = utterances.map(utteranceText).join(" ");
    expect(transcript).toContain("world");
    const words = utterances.flatMap((u) => u.words);
    for (const word of words) {
      expect(word.end).toBeGreaterThan(word.start);
      expect(word.end).toBeLessThanOrEqual(audio.length / 8000 + 0.05);
    }
  });

  it("finds separate utterances with increasing word times", async () => {
    const audio = phoneLine("two", [speak("a", "hello world"), speak("b", "america")]);
    const utterances = (await recognizeMulaw(audio, { timeoutMs: 60_000 })).filter((u) => u.words.length > 0);
    const transcript = utterances.map(utteranceText).join(" | ");
    expect(transcript).toContain("world");
    expect(transcript).toContain("america");
    const ends = utterances.flatMap((u) => u.words.map((w) => w.end));
    expect(ends).toEqual([...ends].sort((a, b) => a - b));
  });

  it("hears nothing in silence", async () => {
    expect(await recognizeMulaw(Buffer.alloc(8000, 0xff), { timeoutMs: 60_000 })).toEqual([]);
    expect(await recognizeMulaw(Buffer.alloc(0))).toEqual([]);
  });

  it("fails with a clear error when the recogniser is missing or broken", async () => {
    const audio = Buffer.alloc(1600, 0xff);
    await expect(recognizeMulaw(audio, { pocketsphinx: "/nonexistent/pocketsphinx_continuous" })).rejects.toThrow(
      /pocketsphinx_continuous not found: install the Debian packages pocketsphinx and pocketsphinx-en-us/,
    );
    await expect(recognizeMulaw(audio, { extraArgs: ["-hmm", "/nonexistent/model"] })).rejects.toThrow(RecognizerError);
  });
});
