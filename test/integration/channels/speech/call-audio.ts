// A repository recording's inbound track as the bridge hands it to a recognizer: 8 kHz 16-bit
// PCM, pushed 20 ms (one Twilio frame) at a time.
import { readFileSync } from "node:fs";
import { parseRecording, trackAudio } from "../../../../channels/media-stream/recording.js";
import { decodeMulaw } from "../../../../channels/media-stream/mulaw.js";
import { recordingPath } from "../../../../channels/recordings/repository-recordings.js";
import type { RecognitionStream, SpeechResult } from "../../../../channels/speech/recognizer.js";

export function recordingPcm(name: string): Int16Array {
  return decodeMulaw(trackAudio(parseRecording(readFileSync(recordingPath(name), "utf8")), "inbound"));
}

export function writeFrames(stream: RecognitionStream, pcm: Int16Array): void {
  for (let offset = 0; offset < pcm.length; offset += 160) stream.write(pcm.subarray(offset, offset + 160));
}

/** Results without their random ids, and the ids replaced by the phrase they belong to (A, B, ...). */
export function withPhraseLetters(results: readonly SpeechResult[]): string[] {
  const letters = new Map<string, string>();
  return results.map((r) => {
    if (r.event === "error") return `error: ${r.text}`;
    if (!letters.has(r.id)) letters.set(r.id, String.fromCharCode(65 + letters.size));
    return `${letters.get(r.id)} ${r.final ? "final" : "partial"}: ${r.text}`;
  });
}
