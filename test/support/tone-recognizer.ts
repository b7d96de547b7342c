// A small deterministic recognizer for bridge tests: each burst of sound in the audio is one
// utterance; it reports a partial "utterance N" while the burst lasts and the final one after
// 200 ms of silence, plus a final for an unfinished burst at end().
import type { RecognitionStream, RecognitionStreamOptions, Recognizer, SpeechResult } from "../../channels/speech/recognizer.js";

export class ToneRecognizer implements Recognizer {
  readonly name = "tone";
  readonly streams: string[] = [];

  start(options: RecognitionStreamOptions): RecognitionStream {
    this.streams.push(options.callSid);
    let utterance = 0;
    let voicedMs = 0;
    let silentMs = 0;
    let open = true;
    const emit = (result: SpeechResult) => open && options.onResult(result);
    const id = () => `${options.callSid.slice(-6)}-${utterance}`;
    const finish = () => {
      if (voicedMs === 0) return;
      emit({ id: id(), text: `utterance ${utterance}`, final: true, event: "transcript" });
      voicedMs = 0;
    };
    return {
      write(pcm) {
        if (!open) return;
        let energy = 0;
        for (const sample of pcm) energy += Math.abs(sample);
        const ms = pcm.length / 8;
        if (energy / Math.max(1, pcm.length) > 500) {
          if (voicedMs === 0) utterance++;
          voicedMs += ms;
          silentMs = 0;
          emit({
            id: id(),
            text: `utterance ${utterance}`.slice(0, 9 + Math.min(2, Math.floor(voicedMs / 200))),
            final: false,
            event: "transcript",
          });
        } else {
          silentMs += ms;
          if (silentMs >= 200) finish();
        }
      },
      async end() {
        finish();
        open = false;
      },
      close() {
        open = false;
      },
    };
  }

  async close(): Promise<void> {}
}
