// SPEECH_RECOGNIZER and friends, parsed once at the edge. Bad values fail at startup with the
// variable's name, instead of every call failing later.
import { ConfigError, z } from "anycable-ts";

export const RECOGNIZERS = ["pocketsphinx", "vosk"] as const;
export type RecognizerName = (typeof RECOGNIZERS)[number];

/** vosk-server's default gRPC port. */
export const DEFAULT_VOSK_RPC_HOST = "localhost:5001";

const HOST_PORT = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

const hostPort = z.string().refine((value) => {
  const port = HOST_PORT.exec(value)?.[2];
  return port !== undefined && Number(port) >= 1 && Number(port) <= 65535;
}, 'must be "host:port" with a port from 1 to 65535, e.g. localhost:5001');

const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === "" ? undefined : value))
  .optional();

const SpeechEnv = z.object({
  SPEECH_RECOGNIZER: z
    .string()
    .trim()
    .toLowerCase()
    .transform((value) => (value === "" ? "pocketsphinx" : value))
    .pipe(z.enum(RECOGNIZERS, { error: `must be one of: ${RECOGNIZERS.join(", ")}` }))
    .default("pocketsphinx"),
  VOSK_RPC_HOST: z
    .string()
    .trim()
    .transform((value) => (value === "" ? DEFAULT_VOSK_RPC_HOST : value))
    .pipe(hostPort)
    .default(DEFAULT_VOSK_RPC_HOST),
  POCKETSPHINX_BIN: optionalText,
  SOX_BIN: optionalText,
});

export type SpeechConfig =
  { recognizer: "vosk"; voskHost: string } | { recognizer: "pocketsphinx"; pocketsphinx: string | undefined; sox: string | undefined };

export function loadSpeechConfig(env: NodeJS.ProcessEnv): SpeechConfig {
  const parsed = SpeechEnv.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`);
    throw new ConfigError(`Invalid speech recognition configuration:\n${lines.join("\n")}`);
  }
  const values = parsed.data;
  if (values.SPEECH_RECOGNIZER === "vosk") return { recognizer: "vosk", voskHost: values.VOSK_RPC_HOST };
  return { recognizer: "pocketsphinx", pocketsphinx: values.POCKETSPHINX_BIN, sox: values.SOX_BIN };
}
