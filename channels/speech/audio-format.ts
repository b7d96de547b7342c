// The one audio format between the bridge and every recognizer: what Twilio sends (8 kHz mono),
// expanded from µ-law to 16-bit linear PCM (see ../media-stream).
import { SAMPLE_RATE } from "../media-stream/frames.js";

export { SAMPLE_RATE };
export { toPcm16le } from "../media-stream/mulaw.js";

/** Samples in `ms` milliseconds of call audio. */
export function samplesIn(ms: number): number {
  return Math.round((SAMPLE_RATE * ms) / 1000);
}

/** Milliseconds of call audio in `samples` samples. */
export function msOf(samples: number): number {
  return (samples * 1000) / SAMPLE_RATE;
}

/** Raw little-endian 16-bit PCM (what Vosk's LINEAR16_PCM carries) as samples; an odd trailing byte is ignored. */
export function fromPcm16le(bytes: Uint8Array): Int16Array {
  const count = bytes.length >> 1;
  const view = new DataView(bytes.buffer, bytes.byteOffset, count * 2);
  const out = new Int16Array(count);
  for (let i = 0; i < count; i++) out[i] = view.getInt16(i * 2, true);
  return out;
}
