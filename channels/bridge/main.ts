// `npm run bridge`: the Twilio media-stream bridge on its own. Configuration comes from the
// environment (see README: TWILIO_BRIDGE_HOST, CABLE_URL, TWILIO_STREAM_URL, TWILIO_AUTH_TOKEN,
// TWILIO_ACCOUNT_SID, TWILIO_BRIDGE_SECRET or ANYCABLE_SECRET, SPEECH_RECOGNIZER, VOSK_RPC_HOST).
import { runProcess } from "anycable-ts";
import { createRecognizer } from "../speech/create-recognizer.js";
import { loadBridgeConfig } from "./bridge-config.js";
import { startMediaStreamBridge } from "./bridge-server.js";

await runProcess({
  name: "bridge",
  async start({ env, logger }) {
    // Either may refuse the configuration (a ConfigError: printed plain, exit 1) before anything listens.
    const config = loadBridgeConfig(env);
    const recognizer = createRecognizer(env, logger);
    const bridge = await startMediaStreamBridge({ config, recognizer, logger }).catch(async (error: unknown) => {
      await recognizer.close();
      throw error;
    });
    return {
      async stop() {
        logger.info({ streams: bridge.streams }, "ending open streams (their last results are flushed)");
        await bridge.close();
        await recognizer.close();
      },
    };
  },
  exitDelayMs: 200,
});
