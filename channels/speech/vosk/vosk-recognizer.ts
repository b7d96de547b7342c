// A client of Vosk's streaming gRPC API (vosk-server's SttService), the recognizer production
// deployments run beside the application. One HTTP/2 channel per process, one
// StreamingRecognize call per phone call: the config first, then the call's audio in chunks of
// `chunkMs`, partial results on. A failed call becomes one `error` result; audio keeps flowing
// into a fresh call after a backoff, so recognition resumes when Vosk comes back.
import * as grpc from "@grpc/grpc-js";
import type { Logger } from "pino";
import { SAMPLE_RATE, samplesIn, toPcm16le } from "../audio-format.js";
import { OverflowGuard } from "../overflow-guard.js";
import { PcmQueue } from "../pcm-queue.js";
import type { RecognitionStream, RecognitionStreamOptions, Recognizer, SpeechResult } from "../recognizer.js";
import { PhraseIds, errorResult } from "../results.js";
import { sttServiceConstructor, type StreamingRecognitionRequest, type StreamingRecognitionResponse } from "./proto.js";
import { awaitFinals } from "../await-finals.js";

export interface VoskRecognizerOptions {
  /** `host:port` of the Vosk server (VOSK_RPC_HOST). */
  host: string;
  logger: Logger;
  /** Audio per gRPC message (the original sent 100–300 ms). */
  chunkMs?: number;
  /** Audio allowed to wait for a slow or stalled server before it is dropped. */
  maxBufferedMs?: number;
  /** First wait before reopening a failed stream; doubles up to `maxRetryMs`. */
  retryMs?: number;
  maxRetryMs?: number;
  credentials?: grpc.ChannelCredentials;
  /** Phrase ids; random by default. */
  newId?: () => string;
}

type StreamSettings = Required<Omit<VoskRecognizerOptions, "credentials" | "newId">> & Pick<VoskRecognizerOptions, "newId">;
type Call = grpc.ClientDuplexStream<StreamingRecognitionRequest, StreamingRecognitionResponse>;
type StreamRpc = (options?: grpc.CallOptions) => Call;

const SPECIFICATION = {
  audio_encoding: "LINEAR16_PCM",
  sample_rate_hertz: SAMPLE_RATE,
  partial_results: true,
  max_alternatives: 1,
} as const;

function describeFailure(error: grpc.ServiceError): string {
  const status = grpc.status[error.code] ?? String(error.code);
  return `${status}${error.details ? `: ${error.details}` : ""}`;
}

export class VoskRecognizer implements Recognizer {
  readonly name = "vosk";
  readonly #client: grpc.Client;
  readonly #options: StreamSettings;

  constructor(options: VoskRecognizerOptions) {
    const Service = sttServiceConstructor();
    this.#client = new Service(options.host, options.credentials ?? grpc.credentials.createInsecure(), {
      // grpc-js would keep a replay copy of each call's audio for transparent retries; a
      // recognition stream cannot be replayed into the same result, so failures reopen a
      // fresh stream here instead (and no audio is held twice).
      "grpc.enable_retries": 0,
    });
    this.#options = {
      host: options.host,
      logger: options.logger,
      chunkMs: options.chunkMs ?? 200,
      maxBufferedMs: options.maxBufferedMs ?? 5_000,
      retryMs: options.retryMs ?? 1_000,
      maxRetryMs: options.maxRetryMs ?? 30_000,
      newId: options.newId,
    };
  }

  start(options: RecognitionStreamOptions): RecognitionStream {
    const rpc = (this.#client as unknown as { StreamingRecognize: StreamRpc }).StreamingRecognize.bind(this.#client);
    return new VoskStream(rpc, this.#options, options);
  }

  async close(): Promise<void> {
    this.#client.close();
  }
}

class VoskStream implements RecognitionStream {
  readonly #rpc: StreamRpc;
  readonly #logger: Logger;
  readonly #host: string;
  readonly #chunk: number;
  readonly #retryMs: number;
  readonly #maxRetryMs: number;
  readonly #onResult: (result: SpeechResult) => void;
  readonly #ids: PhraseIds;
  readonly #queue = new PcmQueue();
  readonly #guard: OverflowGuard;

  #state: "open" | "ending" | "done" = "open";
  #call: Call | undefined;
  /** The current call's writable side is full: wait for "drain". */
  #blocked = false;
  #halfClosed = false;
  #retryAt = 0;
  #backoff: number;
  #finished: (() => void) | undefined;

  constructor(rpc: StreamRpc, options: StreamSettings, stream: RecognitionStreamOptions) {
    this.#rpc = rpc;
    this.#host = options.host;
    this.#logger = options.logger.child({ callSid: stream.callSid, recognizer: "vosk" });
    this.#chunk = samplesIn(options.chunkMs);
    this.#retryMs = options.retryMs;
    this.#maxRetryMs = options.maxRetryMs;
    this.#backoff = options.retryMs;
    this.#onResult = stream.onResult;
    this.#ids = new PhraseIds(options.newId);
    this.#guard = new OverflowGuard({
      maxSamples: samplesIn(options.maxBufferedMs),
      logger: this.#logger,
      onResult: (result) => this.#deliver(result),
      recognizer: "vosk",
    });
  }

  write(pcm: Int16Array): void {
    if (this.#state !== "open" || pcm.length === 0) return;
    if (!this.#call) {
      // Audio that arrives while a failed stream waits for its retry is not recognised.
      if (Date.now() < this.#retryAt) return;
      this.#open();
    }
    if (!this.#guard.admit(this.#queue.length, pcm.length)) return;
    this.#queue.push(pcm);
    this.#pump();
  }

  end(timeoutMs: number): Promise<void> {
    if (this.#state !== "open") return Promise.resolve();
    this.#state = "ending";
    if (!this.#call) {
      this.#state = "done";
      return Promise.resolve();
    }
    return awaitFinals({
      timeoutMs,
      onTimeout: () => this.#logger.warn({ timeoutMs }, "vosk: final results did not arrive in time"),
      onFinish: () => {
        this.#finished = undefined;
        this.close();
      },
      start: (finish) => {
        this.#finished = finish;
        this.#pump();
      },
    });
  }

  close(): void {
    if (this.#state === "done" && !this.#call) return;
    this.#state = "done";
    this.#queue.clear();
    const call = this.#call;
    this.#call = undefined;
    call?.cancel();
    this.#finished?.();
  }

  #deliver(result: SpeechResult): void {
    if (this.#state !== "done") this.#onResult(result);
  }

  #open(): void {
    const call = this.#rpc();
    this.#call = call;
    this.#blocked = false;
    this.#halfClosed = false;
    call.on("data", (response: StreamingRecognitionResponse) => {
      if (this.#call !== call) return;
      this.#backoff = this.#retryMs;
      const chunk = response.chunks[0];
      const text = chunk?.alternatives[0]?.text.trim() ?? "";
      // An empty final is Vosk saying it has finished; empty partials carry nothing either.
      if (text !== "") this.#deliver(this.#ids.transcript(text, chunk!.final));
    });
    call.on("error", (error: grpc.ServiceError) => {
      if (this.#call !== call) return; // cancelled by close(), or replaced already
      this.#call = undefined;
      this.#queue.clear();
      this.#ids.restart();
      this.#retryAt = Date.now() + this.#backoff;
      this.#logger.warn({ host: this.#host, code: error.code, details: error.details, retryInMs: this.#backoff }, "vosk: stream failed");
      this.#backoff = Math.min(this.#backoff * 2, this.#maxRetryMs);
      this.#deliver(errorResult(`vosk: ${describeFailure(error)}`));
      this.#finished?.();
    });
    call.on("status", (status: grpc.StatusObject) => {
      if (this.#call !== call || status.code !== grpc.status.OK) return;
      // The server finished the stream: after our half-close that is the end of the call;
      // before it (single-utterance servers), the next audio opens a fresh stream.
      this.#call = undefined;
      this.#finished?.();
    });
    call.write({ config: { specification: SPECIFICATION } });
  }

  #pump(): void {
    const call = this.#call;
    if (!call || this.#halfClosed) return;
    const flushing = this.#state === "ending";
    while (!this.#blocked && (this.#queue.length >= this.#chunk || (flushing && this.#queue.length > 0))) {
      const ok = call.write({ audio_content: toPcm16le(this.#queue.take(this.#chunk)) });
      if (!ok) {
        // HTTP/2 flow control: the server reads slower than the call speaks. Audio waits in
        // the bounded queue until the stream drains.
        this.#blocked = true;
        call.once("drain", () => {
          if (this.#call !== call) return;
          this.#blocked = false;
          this.#pump();
        });
      }
    }
    if (flushing && !this.#blocked && this.#queue.length === 0) {
      this.#halfClosed = true;
      call.end();
    }
  }
}
