// The recognizer bridge tests run: the real Vosk gRPC client against the project's fake Vosk
// server, which answers the Nth utterance of every stream with the Nth phrase.
import { silentLogger, type Logger } from "../../src/index.js";
import { startFakeVosk, type RunningFakeVosk } from "../../channels/tools/fake-vosk/fake-vosk-server.js";
import { VoskRecognizer } from "../../channels/speech/vosk/vosk-recognizer.js";
import { RecordingRecognizer } from "./recording-recognizer.js";

export interface FakeVoskRecognizer {
  readonly vosk: RunningFakeVosk;
  /** The Vosk client, wrapped so tests can read every result it reported, per call. */
  readonly recognizer: RecordingRecognizer;
  close(): Promise<void>;
}

export async function startFakeVoskRecognizer(phrases: readonly string[], logger: Logger = silentLogger()): Promise<FakeVoskRecognizer> {
  const vosk = await startFakeVosk({ phrases, logger });
  const recognizer = new RecordingRecognizer(new VoskRecognizer({ host: vosk.address, logger }));
  return {
    vosk,
    recognizer,
    async close() {
      await recognizer.close();
      await vosk.close();
    },
  };
}
