// A fake Vosk server: a real gRPC `vosk.stt.v1.SttService` that recognises nothing but is
// deterministic. It cuts each stream's audio into utterances at silences (the energy VAD) and
// answers the Nth utterance with the Nth configured phrase: partials grow word by word with
// the utterance's audio, then the whole phrase comes as the final. Given the sentences a
// recording was made from, it "transcribes" that recording exactly, which lets tests and a
// developer without a Vosk server check every result end to end over the real protocol.
import * as grpc from "@grpc/grpc-js";
import type { Logger } from "pino";
import { SAMPLE_RATE, fromPcm16le, msOf } from "../../speech/audio-format.js";
import { SpeechSegmenter, type VadOptions } from "../../speech/vad.js";
import {
  sttServiceConstructor,
  type DecodedRecognitionRequest,
  type RecognitionSpec,
  type StreamingRecognitionResponse,
} from "../../speech/vosk/proto.js";

export interface FakeVoskOptions {
  /** Answers for the 1st, 2nd, ... utterance of every stream; the list repeats when calls run longer. */
  phrases: readonly string[];
  /** `host:port` to listen on; port 0 picks a free one. Default 127.0.0.1:0. */
  listen?: string;
  logger: Logger;
  /** Audio per revealed word in partial results. */
  msPerWord?: number;
  vad?: VadOptions;
  /** Fault injection: each stream fails with INTERNAL after this many final results. */
  failAfterUtterances?: number;
  /** A stalled server: reads the config, then never reads audio (HTTP/2 flow control pushes back). */
  stallAfterConfig?: boolean;
}

export interface FakeVoskStats {
  streams: number;
  activeStreams: number;
  audioBytes: number;
  finals: number;
}

export interface RunningFakeVosk {
  /** `host:port`, what VOSK_RPC_HOST takes. */
  address: string;
  port: number;
  readonly stats: FakeVoskStats;
  /** Stops at once, failing every open stream (what a crashed server looks like). */
  close(): Promise<void>;
}

type ServerCall = grpc.ServerDuplexStream<DecodedRecognitionRequest, StreamingRecognitionResponse>;

function response(text: string, final: boolean): StreamingRecognitionResponse {
  return { chunks: [{ alternatives: [{ text, confidence: 1, words: [] }], final, end_of_utterance: final }] };
}

function invalid(call: ServerCall, details: string): void {
  call.emit("error", { code: grpc.status.INVALID_ARGUMENT, details });
}

/** Checks a config the way a Vosk server would reject it, for the one format the fake understands. */
function configProblem(spec: RecognitionSpec | null | undefined): string | undefined {
  if (!spec) return "config.specification is required";
  if (spec.audio_encoding !== "LINEAR16_PCM") return `unsupported audio_encoding ${spec.audio_encoding}: only LINEAR16_PCM`;
  if (spec.sample_rate_hertz !== SAMPLE_RATE)
    return `the fake Vosk server only takes ${SAMPLE_RATE} Hz audio, got ${spec.sample_rate_hertz}`;
  return undefined;
}

class FakeStream {
  readonly #segmenter: SpeechSegmenter;
  #configured = false;
  #partials = true;
  #utterance = 0;
  #words: string[] = [];
  #shown = 0;
  #failed = false;

  constructor(
    private readonly call: ServerCall,
    private readonly options: FakeVoskOptions,
    private readonly stats: FakeVoskStats,
    private readonly logger: Logger,
  ) {
    this.#segmenter = new SpeechSegmenter(options.vad);
  }

  request(request: DecodedRecognitionRequest): void {
    if (this.#failed) return;
    if (request.streaming_request === "config") {
      if (this.#configured) return this.#fail(() => invalid(this.call, "config may only be sent once, first"));
      const problem = configProblem(request.config?.specification);
      if (problem) return this.#fail(() => invalid(this.call, problem));
      this.#configured = true;
      this.#partials = request.config!.specification!.partial_results;
      if (this.options.stallAfterConfig) this.call.pause();
      return;
    }
    if (!this.#configured) return this.#fail(() => invalid(this.call, "the first message must be the config"));
    const audio = request.audio_content ?? Buffer.alloc(0);
    this.stats.audioBytes += audio.length;
    this.#handle(this.#segmenter.push(fromPcm16le(audio)));
  }

  finish(): void {
    if (this.#failed) return;
    this.#handle(this.#segmenter.flush());
    // Vosk's last word: a final with no text once the audio is done.
    this.call.write(response("", true));
    this.call.end();
  }

  #handle(events: ReturnType<SpeechSegmenter["push"]>): void {
    for (const event of events) {
      if (this.#failed) return;
      if (event.type === "start") {
        const phrase = this.options.phrases[this.#utterance % this.options.phrases.length] ?? "";
        this.#words = phrase.split(/\s+/).filter(Boolean);
        this.#shown = 0;
      } else if (event.type === "progress") {
        const due = Math.min(this.#words.length, Math.ceil(msOf(event.samples) / (this.options.msPerWord ?? 250)));
        if (this.#partials && due > this.#shown) {
          this.#shown = due;
          this.call.write(response(this.#words.slice(0, due).join(" "), false));
        }
      } else {
        this.call.write(response(this.#words.join(" "), true));
        this.#utterance++;
        this.stats.finals++;
        if (this.options.failAfterUtterances !== undefined && this.#utterance >= this.options.failAfterUtterances) {
          this.#fail(() => this.call.emit("error", { code: grpc.status.INTERNAL, details: "fake vosk: injected failure" }));
        }
      }
    }
  }

  #fail(emit: () => void): void {
    this.#failed = true;
    this.logger.debug("fake vosk: failing a stream");
    emit();
  }
}

export async function startFakeVosk(options: FakeVoskOptions): Promise<RunningFakeVosk> {
  if (options.phrases.length === 0) throw new Error("the fake Vosk server needs at least one phrase");
  const logger = options.logger.child({ component: "fake-vosk" });
  const stats: FakeVoskStats = { streams: 0, activeStreams: 0, audioBytes: 0, finals: 0 };
  const server = new grpc.Server();
  server.addService(sttServiceConstructor().service, {
    StreamingRecognize(call: ServerCall) {
      stats.streams++;
      stats.activeStreams++;
      const stream = new FakeStream(call, options, stats, logger);
      let closed = false;
      const closeOnce = () => {
        if (!closed) {
          closed = true;
          stats.activeStreams--;
        }
      };
      call.on("data", (request: DecodedRecognitionRequest) => stream.request(request));
      call.on("end", () => {
        stream.finish();
        closeOnce();
      });
      call.on("error", closeOnce);
      call.on("cancelled", closeOnce);
      call.on("close", closeOnce);
    },
  });
  const listen = options.listen ?? "127.0.0.1:0";
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(listen, grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  const host = listen.slice(0, listen.lastIndexOf(":"));
  const address = `${host}:${port}`;
  logger.info({ address, phrases: options.phrases.length }, "fake Vosk server listening");
  return {
    address,
    port,
    stats,
    close: async () => {
      server.forceShutdown();
    },
  };
}
