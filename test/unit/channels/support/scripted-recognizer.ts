// A recognizer the test speaks for: it implements the bridge's one seam to speech recognition
// (channels/speech/recognizer.ts), keeps the audio it was given and says what the test tells it
// to, when the test tells it to. The bridge's own order of events (results before the cable is
// confirmed, last words during end(), a recognizer that fails to finish) can be pinned exactly;
// the real Vosk client against the fake Vosk server is used where timing does not matter.
import type { RecognitionStream, RecognitionStreamOptions, Recognizer, SpeechResult } from "../../../../channels/speech/recognizer.js";

export class ScriptedStream implements RecognitionStream {
  /** Each write, as the bridge handed it over. */
  readonly writes: Int16Array[] = [];
  /** The bound end() was called with, once it was called. */
  endedWithin: number | undefined;
  closed = false;
  /** What end() does before it resolves: say last words, wait, or throw. */
  onEnd: () => Promise<void> | void = () => undefined;
  /** Makes the next write throw, as a broken recognizer would. */
  failWrites: Error | undefined;
  #phrase = 0;

  constructor(readonly options: RecognitionStreamOptions) {}

  get callSid(): string {
    return this.options.callSid;
  }

  /** Reports a transcript; partials share the phrase's id, a final closes the phrase. */
  say(text: string, final: boolean): void {
    this.report({ id: `phrase-${this.#phrase}`, text, final, event: "transcript" });
    if (final) this.#phrase++;
  }

  report(result: SpeechResult): void {
    this.options.onResult(result);
  }

  write(pcm: Int16Array): void {
    if (this.failWrites) throw this.failWrites;
    this.writes.push(pcm);
  }

  async end(timeoutMs: number): Promise<void> {
    this.endedWithin = timeoutMs;
    await this.onEnd();
  }

  close(): void {
    this.closed = true;
  }
}

export class ScriptedRecognizer implements Recognizer {
  readonly name = "scripted";
  readonly streams: ScriptedStream[] = [];
  /** Set before a call starts to script its stream (e.g. its onEnd). */
  prepare: (stream: ScriptedStream) => void = () => undefined;

  start(options: RecognitionStreamOptions): RecognitionStream {
    const stream = new ScriptedStream(options);
    this.prepare(stream);
    this.streams.push(stream);
    return stream;
  }

  async close(): Promise<void> {}
}
