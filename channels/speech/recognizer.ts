// The one seam between the media-stream bridge and any speech recognizer (Vosk over gRPC,
// pocketsphinx offline, the fake Vosk used in tests). The bridge pushes a call's inbound audio
// in and receives results out; a recognizer never sees WebSockets and the bridge never sees
// a recognizer's protocol.

/** One recognition result, in the shape `handle_message` carries as `result`. */
export interface SpeechResult {
  /** Shared by the partials of one phrase and its final; a fresh id after each final. "" for errors. */
  id: string;
  text: string;
  final: boolean;
  event: "transcript" | "error";
}

export interface RecognitionStreamOptions {
  /** The call this audio belongs to: for logs and for recognizers that keep per-call state. */
  callSid: string;
  /** Called for every result, in order; never called after `end()` resolves or `close()`. */
  onResult: (result: SpeechResult) => void;
}

/** One call's audio on its way to a recognizer. */
export interface RecognitionStream {
  /**
   * 8 kHz mono 16-bit linear PCM, in arrival order. Never blocks the caller: a recognizer
   * buffers up to a bounded amount and drops (with a logged warning and an `error` result)
   * beyond it, so a slow recognizer cannot stall the socket or grow memory without bound.
   */
  write(pcm: Int16Array): void;
  /** No more audio: resolves once final results are delivered, or after `timeoutMs`. */
  end(timeoutMs: number): Promise<void>;
  /** Stops at once, dropping anything pending. Idempotent. */
  close(): void;
}

export interface Recognizer {
  readonly name: string;
  start(options: RecognitionStreamOptions): RecognitionStream;
  /** Releases shared resources (gRPC channels, child processes). */
  close(): Promise<void>;
}
