// An energy-based voice activity detector: cuts a call's audio into utterances at silences.
// Deterministic (same audio, same cuts), cheap (one pass of sums per 20 ms frame) and good
// enough for phone audio, where a caller's speech sits well above the line's noise floor.
// The fake Vosk server segments with it; a real recognizer brings its own.
import { samplesIn } from "./audio-format.js";

export interface VadOptions {
  /** Analysis frame; Twilio's own frame length by default. */
  frameMs?: number;
  /** A frame is voiced when this many dB above the tracked noise floor... */
  marginDb?: number;
  /** ...and at least this loud (dBFS), so digital silence and faint hiss never count. */
  minDb?: number;
  /** Voiced frames in a row before an utterance starts (ignores clicks). */
  minSpeechMs?: number;
  /** Unvoiced frames in a row that end an utterance (pauses between words are shorter). */
  hangoverMs?: number;
  /** An utterance longer than this is cut, so a caller who never pauses still gets results. */
  maxUtteranceMs?: number;
}

export type VadEvent =
  /** Speech began at sample `at` (counted from the first sample pushed). */
  | { type: "start"; at: number }
  /** Speech continues: the utterance now spans `samples` samples. */
  | { type: "progress"; samples: number }
  /** The utterance spans [start, end) in samples; `end` is the end of its last voiced frame. */
  | { type: "end"; start: number; end: number };

const DEFAULTS = { frameMs: 20, marginDb: 12, minDb: -50, minSpeechMs: 60, hangoverMs: 400, maxUtteranceMs: 15_000 };

/** Level of a frame in dBFS (0 dB = full-scale square wave); -100 for digital silence. */
export function frameDb(frame: Int16Array): number {
  if (frame.length === 0) return -100;
  let sum = 0;
  for (let i = 0; i < frame.length; i++) sum += frame[i]! * frame[i]!;
  const rms = Math.sqrt(sum / frame.length);
  return rms < 1 ? -100 : 20 * Math.log10(rms / 32768);
}

export class SpeechSegmenter {
  readonly #frame: number;
  readonly #marginDb: number;
  readonly #minDb: number;
  readonly #minSpeechFrames: number;
  readonly #hangoverFrames: number;
  readonly #maxUtteranceFrames: number;

  /** Samples not yet making up a whole frame. */
  #pending = new Int16Array(0);
  /** Frames analysed so far. */
  #frames = 0;
  #noiseDb: number;
  #voicedRun = 0;
  #unvoicedRun = 0;
  /** Frame index where the current utterance started, or -1 outside speech. */
  #startFrame = -1;
  #lastVoicedFrame = -1;

  constructor(options: VadOptions = {}) {
    const o = { ...DEFAULTS, ...options };
    this.#frame = samplesIn(o.frameMs);
    this.#marginDb = o.marginDb;
    this.#minDb = o.minDb;
    this.#minSpeechFrames = Math.max(1, Math.round(o.minSpeechMs / o.frameMs));
    this.#hangoverFrames = Math.max(1, Math.round(o.hangoverMs / o.frameMs));
    this.#maxUtteranceFrames = Math.max(1, Math.round(o.maxUtteranceMs / o.frameMs));
    this.#noiseDb = o.minDb;
  }

  get inSpeech(): boolean {
    return this.#startFrame >= 0;
  }

  push(samples: Int16Array): VadEvent[] {
    const events: VadEvent[] = [];
    let data = samples;
    if (this.#pending.length > 0) {
      data = new Int16Array(this.#pending.length + samples.length);
      data.set(this.#pending);
      data.set(samples, this.#pending.length);
    }
    let offset = 0;
    for (; offset + this.#frame <= data.length; offset += this.#frame) {
      this.#analyse(data.subarray(offset, offset + this.#frame), events);
    }
    this.#pending = data.slice(offset);
    if (this.inSpeech) events.push({ type: "progress", samples: (this.#frames - this.#startFrame) * this.#frame });
    return events;
  }

  /** End of audio: closes an utterance still open. */
  flush(): VadEvent[] {
    const events: VadEvent[] = [];
    if (this.inSpeech) this.#close(events);
    this.#pending = new Int16Array(0);
    return events;
  }

  #analyse(frame: Int16Array, events: VadEvent[]): void {
    const index = this.#frames++;
    const db = frameDb(frame);
    const voiced = db >= this.#minDb && db >= this.#noiseDb + this.#marginDb;
    if (!voiced && !this.inSpeech) {
      // The floor follows quiet frames slowly upwards and drops at once, so a burst of speech
      // never raises it and a quieter line is picked up immediately.
      this.#noiseDb = db < this.#noiseDb ? Math.max(db, this.#minDb - 20) : this.#noiseDb * 0.95 + db * 0.05;
    }
    if (voiced) {
      this.#voicedRun++;
      this.#unvoicedRun = 0;
      this.#lastVoicedFrame = index;
      if (!this.inSpeech && this.#voicedRun >= this.#minSpeechFrames) {
        this.#startFrame = index - this.#voicedRun + 1;
        events.push({ type: "start", at: this.#startFrame * this.#frame });
      }
    } else {
      this.#voicedRun = 0;
      this.#unvoicedRun++;
      if (this.inSpeech && this.#unvoicedRun >= this.#hangoverFrames) this.#close(events);
    }
    if (this.inSpeech && index + 1 - this.#startFrame >= this.#maxUtteranceFrames) {
      this.#close(events);
      this.#voicedRun = 0;
    }
  }

  #close(events: VadEvent[]): void {
    events.push({ type: "end", start: this.#startFrame * this.#frame, end: (this.#lastVoicedFrame + 1) * this.#frame });
    this.#startFrame = -1;
  }
}
