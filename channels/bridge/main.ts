// `npm run bridge`: the Twilio media-stream bridge on its own. Configuration comes from the
// environment (see README: TWILIO_BRIDGE_HOST, CABLE_URL, TWILIO_STREAM_URL, TWILIO_AUTH_TOKEN,
// TWILIO_ACCOUNT_SID, TWILIO_BRIDGE_SECRET or ANYCABLE_SECRET, SPEECH_RECOGNIZER, VOSK_RPC_HOST).
import { ConfigError, createLogger, logUnhandledRejections, onShutdownSignal } from "anycable-ts";
import { createRecognizer } from "../speech/create-recognizer.js";
import { loadBridgeConfig } from "./bridge-config.js";
import { startMediaStreamBridge } from "./bridge-server.js";

async function main(env: NodeJS.ProcessEnv): Promise<number> {
  const logger = createLogger({ name: "bridge" }, env);
  logUnhandledRejections(logger);
  let config;
  let recognizer;
  try {
    config = loadBridgeConfig(env);
    recognizer = createRecognizer(env, logger);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 2;
  }
  const bridge = await startMediaStreamBridge({ config, recognizer, logger });
  return new Promise<number>((done) => {
    onShutdownSignal({
      onStop(signal) {
        logger.info({ signal, streams: bridge.streams }, "shutting down: ending open streams (their last results are flushed)");
        void bridge
          .close()
          .then(() => recognizer.close())
          .then(() => done(0));
      },
      onForce(signal) {
        logger.warn({ signal }, "second signal: exiting now");
        done(1);
      },
    });
  });
}

process.exitCode = await main(process.env).catch((error: unknown) => {
  process.stderr.write(`bridge failed: ${error instanceof Error ? error.message : String(error)}\n`);
  return 1;
});
setTimeout(() => process.exit(), 200).unref();
