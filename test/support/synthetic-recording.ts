// Recordings built in code for bridge tests: bursts of tone (what an energy-based voice detector,
// like the fake Vosk's, takes for speech) separated by silence, as 20 ms µ-law media frames in a
// Recording, the shape channels/media-stream/recording.ts parses from YAML.
import type { MediaFrame } from "../../channels/media-stream/frames.js";
import type { Recording, RecordingStep } from "../../channels/media-stream/recording.js";

const BIAS = 0x84;
const CLIP = 32635;

/** G.711 µ-law compression of one 16-bit sample (the inverse of media-stream/mulaw.ts). */
export function linearToMulaw(sample: number): number {
  const sign = sample < 0 ? 0x80 : 0;
  let magnitude = Math.min(Math.abs(sample), CLIP) + BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (magnitude & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (magnitude >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

export interface SyntheticRecordingOptions {
  callSid: string;
  accountSid: string;
  /** Utterances, each a tone burst of this many ms. */
  utterances: number;
  toneMs?: number;
  silenceMs?: number;
  /** Also send outbound frames (the robot's voice), which the bridge must ignore. */
  withOutbound?: boolean;
}

export function syntheticRecording(options: SyntheticRecordingOptions): Recording {
  const toneMs = options.toneMs ?? 600;
  const silenceMs = options.silenceMs ?? 600;
  const streamSid = "MZ00000000000000000000000000000000";
  const steps: RecordingStep[] = [];
  const media: Recording["media"] = { inbound: [], outbound: [] };
  let chunk = 0;
  let sample = 0;
  const frame = (track: "inbound" | "outbound", bytes: Buffer): MediaFrame => ({
    event: "media",
    sequenceNumber: "0",
    streamSid,
    media: { track, chunk: String(chunk), timestamp: String(chunk * 20), payload: bytes.toString("base64") },
  });
  const push = (voiced: boolean) => {
    chunk++;
    const bytes = Buffer.alloc(160);
    for (let i = 0; i < 160; i++, sample++) {
      bytes[i] = linearToMulaw(voiced ? Math.round(12_000 * Math.sin((2 * Math.PI * 440 * sample) / 8000)) : 0);
    }
    const inbound = frame("inbound", bytes);
    steps.push({ kind: "send", frame: inbound });
    media.inbound.push(inbound);
    if (options.withOutbound) {
      const outbound = frame("outbound", bytes);
      steps.push({ kind: "send", frame: outbound });
      media.outbound.push(outbound);
    }
    steps.push({ kind: "sleep", seconds: 0.02 });
  };
  for (let i = 0; i < silenceMs / 20; i++) push(false);
  for (let u = 0; u < options.utterances; u++) {
    for (let i = 0; i < toneMs / 20; i++) push(true);
    for (let i = 0; i < silenceMs / 20; i++) push(false);
  }
  return {
    steps,
    start: {
      accountSid: options.accountSid,
      streamSid,
      callSid: options.callSid,
      tracks: options.withOutbound ? ["inbound", "outbound"] : ["inbound"],
      mediaFormat: { encoding: "audio/x-mulaw", sampleRate: 8000, channels: 1 },
    },
    callSid: options.callSid,
    accountSid: options.accountSid,
    streamSid,
    media,
    durationSeconds: steps.filter((s) => s.kind === "sleep").length * 0.02,
  };
}
