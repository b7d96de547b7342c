import type { Recognizer, SpeechResult } from "../../channels/speech/recognizer.js";

/** Wraps a recognizer and writes down every result it reports, per call, in order. */
export class RecordingRecognizer implements Recognizer {
  readonly results = new Map<string, SpeechResult[]>();
  readonly name: string;

  constructor(readonly inner: Recognizer) {
    this.name = `recorded ${inner.name}`;
  }

  resultsOf(callSid: string): SpeechResult[] {
    return this.results.get(callSid) ?? [];
  }

  start(options: Parameters<Recognizer["start"]>[0]): ReturnType<Recognizer["start"]> {
    const list = this.results.get(options.callSid) ?? [];
    this.results.set(options.callSid, list);
    return this.inner.start({
      ...options,
      onResult: (result) => {
        list.push(result);
        options.onResult(result);
      },
    });
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
