// The recognizer a process uses, chosen by SPEECH_RECOGNIZER: the bridge calls this once and
// sees only the Recognizer interface afterwards.
import { accessSync, constants } from "node:fs";
import { delimiter, isAbsolute, join } from "node:path";
import type { Logger } from "pino";
import { ConfigError } from "anycable-ts";
import { POCKETSPHINX_INSTALL_HINT, SOX_INSTALL_HINT } from "./pocketsphinx/decoder.js";
import { PocketsphinxRecognizer } from "./pocketsphinx/streaming-recognizer.js";
import type { Recognizer } from "./recognizer.js";
import { loadSpeechConfig } from "./speech-config.js";
import { VoskRecognizer } from "./vosk/vosk-recognizer.js";

function executable(command: string, env: NodeJS.ProcessEnv): boolean {
  const candidates =
    isAbsolute(command) || command.includes("/") ? [command] : (env.PATH ?? "").split(delimiter).map((dir) => join(dir, command));
  return candidates.some((path) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * Builds the configured recognizer. Throws ConfigError for bad values, and for pocketsphinx
 * when its programs are missing: better at startup than as an error on every call.
 */
export function createRecognizer(env: NodeJS.ProcessEnv, logger: Logger): Recognizer {
  const config = loadSpeechConfig(env);
  if (config.recognizer === "vosk") {
    logger.info({ recognizer: "vosk", host: config.voskHost }, "speech recognition: Vosk streaming gRPC");
    return new VoskRecognizer({ host: config.voskHost, logger });
  }
  const pocketsphinx = config.pocketsphinx ?? "pocketsphinx_continuous";
  const sox = config.sox ?? "sox";
  if (!executable(pocketsphinx, env))
    throw new ConfigError(
      `SPEECH_RECOGNIZER=pocketsphinx: ${pocketsphinx} not found (${POCKETSPHINX_INSTALL_HINT}, or set POCKETSPHINX_BIN)`,
    );
  if (!executable(sox, env))
    throw new ConfigError(`SPEECH_RECOGNIZER=pocketsphinx: ${sox} not found (${SOX_INSTALL_HINT}, or set SOX_BIN)`);
  logger.info({ recognizer: "pocketsphinx", pocketsphinx, sox }, "speech recognition: pocketsphinx, offline");
  return new PocketsphinxRecognizer({ logger, pocketsphinx, sox });
}
