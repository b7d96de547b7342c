// Voice activity detection on synthetic audio: tone bursts stand in for speech, digital or
// low-level noise for the pauses between phrases.
import { describe, expect, it } from "vitest";
import { SpeechSegmenter, frameDb, type VadEvent } from "../../../../channels/speech/vad.js";

const RATE = 8000;

function tone(ms: number, amplitude = 8000): Int16Array {
  const n = (RATE * ms) / 1000;
  return Int16Array.from({ length: n }, (_, i) => Math.round(amplitude * Math.sin((2 * Math.PI * 300 * i) / RATE)));
}

function silence(ms: number): Int16Array {
  return new Int16Array((RATE * ms) / 1000);
}

/** Deterministic low-level noise (a linear congruential generator), about -60 dBFS. */
function noise(ms: number, amplitude = 40): Int16Array {
  let seed = 42;
  return Int16Array.from({ length: (RATE * ms) / 1000 }, () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return Math.round(((seed / 0x7fffffff) * 2 - 1) * amplitude);
  });
}

function concat(...parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Start and end events only, with sample positions as milliseconds. */
function segments(events: VadEvent[]): string[] {
  return events.flatMap((e) =>
    e.type === "start"
      ? [`start@${(e.at * 1000) / RATE}`]
      : e.type === "end"
        ? [`end ${(e.start * 1000) / RATE}-${(e.end * 1000) / RATE}`]
        : [],
  );
}

function run(audio: Int16Array, chunk: number, segmenter = new SpeechSegmenter()): VadEvent[] {
  const events: VadEvent[] = [];
  for (let i = 0; i < audio.length; i += chunk) events.push(...segmenter.push(audio.subarray(i, i + chunk)));
  events.push(...segmenter.flush());
  return events;
}

describe("frame levels", () => {
  it("measures dBFS, with digital silence far below anything real", () => {
    expect(frameDb(silence(20))).toBe(-100);
    expect(frameDb(new Int16Array(160).fill(16384))).toBeCloseTo(-6.02, 1);
    expect(frameDb(tone(20, 8000))).toBeCloseTo(-15.2, 0);
  });
});

describe("cutting a call into utterances", () => {
  const call = concat(silence(500), tone(800), silence(1000), tone(400), silence(200), tone(400), silence(1000));

  it("finds each burst between pauses, with its bounds", () => {
    expect(segments(run(call, 160))).toEqual(["start@500", "end 500-1300", "start@2300", "end 2300-3300"]);
  });

  it("does not split at a pause shorter than the hangover (between words)", () => {
    const events = segments(run(call, 160));
    expect(events.filter((e) => e.startsWith("end"))).toHaveLength(2);
  });

  it("gives the same cuts whatever the size of the pushed chunks", () => {
    const reference = segments(run(call, 160));
    for (const chunk of [1, 77, 1600, call.length]) expect(segments(run(call, chunk))).toEqual(reference);
  });

  it("reports progress while an utterance grows", () => {
    const segmenter = new SpeechSegmenter();
    segmenter.push(silence(200));
    const first = segmenter.push(tone(200));
    expect(first).toContainEqual({ type: "start", at: 1600 });
    expect(first.at(-1)).toEqual({ type: "progress", samples: 1600 });
    expect(segmenter.push(tone(200)).at(-1)).toEqual({ type: "progress", samples: 3200 });
    expect(segmenter.inSpeech).toBe(true);
  });

  it("ignores clicks shorter than the minimum speech length", () => {
    expect(segments(run(concat(silence(300), tone(40), silence(1000)), 160))).toEqual([]);
  });

  it("closes an utterance still open when the audio ends", () => {
    expect(segments(run(concat(silence(100), tone(500)), 160))).toEqual(["start@100", "end 100-600"]);
  });

  it("cuts a caller who never pauses at the maximum utterance length", () => {
    const events = segments(run(tone(2500), 160, new SpeechSegmenter({ maxUtteranceMs: 1000 })));
    expect(events.slice(0, 4)).toEqual(["start@0", "end 0-1000", "start@1000", "end 1000-2000"]);
  });

  it("hears speech over line noise and not the noise itself", () => {
    const hiss = noise(600);
    const noisy = concat(
      noise(600),
      tone(600, 3000).map((s, i) => s + hiss[i]!),
      noise(1000),
    );
    expect(segments(run(noisy, 160))).toEqual(["start@600", "end 600-1200"]);
    expect(segments(run(noise(3000, 300), 160))).toEqual([]);
  });
});
