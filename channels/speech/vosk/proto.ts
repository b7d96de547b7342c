// protos/vosk_stt.proto loaded for @grpc/grpc-js, with the messages typed as proto-loader
// decodes them (snake_case kept, zero values filled in, enums as names).
import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";

export const VOSK_PROTO_PATH = fileURLToPath(new URL("../../../protos/vosk_stt.proto", import.meta.url));

const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: true,
  arrays: true,
  oneofs: true,
};

export interface RecognitionSpec {
  audio_encoding: "AUDIO_ENCODING_UNSPECIFIED" | "LINEAR16_PCM";
  sample_rate_hertz: number;
  language_code: string;
  profanity_filter: boolean;
  model: string;
  partial_results: boolean;
  single_utterance: boolean;
  raw_results: boolean;
  max_alternatives: number;
  enable_word_time_offsets: boolean;
}

/** A request as sent: exactly one of the oneof's fields. */
export type StreamingRecognitionRequest = { config: { specification: Partial<RecognitionSpec> } } | { audio_content: Buffer };

/** A request as decoded on the server side. */
export interface DecodedRecognitionRequest {
  streaming_request?: "config" | "audio_content";
  config?: { specification?: RecognitionSpec | null } | null;
  audio_content?: Buffer;
}

export interface WordInfo {
  start_time?: { seconds: number; nanos: number } | null;
  end_time?: { seconds: number; nanos: number } | null;
  word: string;
  confidence: number;
}

export interface SpeechRecognitionAlternative {
  text: string;
  confidence?: number;
  words?: WordInfo[];
}

export interface SpeechRecognitionChunk {
  alternatives: SpeechRecognitionAlternative[];
  final: boolean;
  end_of_utterance?: boolean;
}

export interface StreamingRecognitionResponse {
  chunks: SpeechRecognitionChunk[];
}

let cached: grpc.ServiceClientConstructor | undefined;

/** The `vosk.stt.v1.SttService` client constructor; its `.service` is what a server implements. */
export function sttServiceConstructor(): grpc.ServiceClientConstructor {
  if (!cached) {
    const definition = protoLoader.loadSync(VOSK_PROTO_PATH, LOADER_OPTIONS);
    const loaded = grpc.loadPackageDefinition(definition) as unknown as {
      vosk: { stt: { v1: { SttService: grpc.ServiceClientConstructor } } };
    };
    cached = loaded.vosk.stt.v1.SttService;
  }
  return cached;
}
