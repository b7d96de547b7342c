// `npm run simulate`: plays a recorded call to the media-stream bridge as Twilio would. See --help.
import { readFile } from "node:fs/promises";
import { createLogger, onShutdownSignal, type Logger } from "anycable-ts";
import { STREAM_TOKEN_PARAMETER, StreamTokens } from "../../credentials/stream-token.js";
import { parseRecording, RecordingError } from "../../media-stream/recording.js";
import { newStreamSid, playMediaStream, StreamRefusedError, twilioStreamSteps } from "../../media-stream/stream-player.js";
import { DEV_ACCOUNT_SID } from "../../config/development-defaults.js";
import { parseCommandLine, UsageError, USAGE, type SimulatorOptions } from "./options.js";
import { randomCallSid } from "../../calls/call-sid.js";

function fail(logger: Logger | undefined, message: string, code: number): number {
  logger?.error(message);
  process.stderr.write(`simulate: ${message}\n`);
  return code;
}

async function simulate(options: SimulatorOptions, logger: Logger, signal: AbortSignal): Promise<number> {
  if (options.accountDefaulted) {
    logger.warn({ account: DEV_ACCOUNT_SID }, "no account configured (--account or TWILIO_ACCOUNT_SID): using npm start's default");
  }
  const recording = parseRecording(await readFile(options.recording, "utf8"), { ACCOUNT_SID: options.account });
  const callSid = options.sid ?? randomCallSid();
  // What the dashboard does when it places a call: a token for this call, passed as a stream parameter.
  const customParameters = { [STREAM_TOKEN_PARAMETER]: new StreamTokens(options.bridgeSecret).mint(callSid) };
  logger.info(
    {
      recording: options.recording,
      callSid,
      account: options.account,
      inboundFrames: recording.media.inbound.length,
      outboundFrames: recording.media.outbound.length,
      seconds: Number((recording.durationSeconds / options.speed).toFixed(2)),
    },
    options.dryRun ? "dry run: frames follow on stdout" : "call planned",
  );
  if (options.dryRun) {
    const steps = twilioStreamSteps(recording, { accountSid: options.account, callSid, streamSid: newStreamSid(), customParameters });
    for (const step of steps) if (step.kind === "frame") process.stdout.write(`${JSON.stringify(step.frame)}\n`);
    return 0;
  }
  const outcome = await playMediaStream({
    connectUrl: options.url,
    streamUrl: options.streamUrl,
    authToken: options.authToken,
    accountSid: options.account,
    callSid,
    customParameters,
    recording,
    speed: options.speed,
    timeoutMs: options.timeoutMs,
    signal,
    logger,
  });
  if (signal.aborted) {
    logger.warn({ mediaFrames: outcome.mediaFrames }, "call ended early");
    return 0;
  }
  if (!outcome.completed) {
    return fail(logger, `the bridge closed the stream: ${outcome.closeReason || "no reason given"} (${outcome.closeCode})`, 1);
  }
  logger.info({ mediaFrames: outcome.mediaFrames, closeCode: outcome.closeCode }, "call completed");
  return 0;
}

export async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  let options: SimulatorOptions;
  try {
    const parsed = parseCommandLine(argv, env);
    if (parsed.help) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    options = parsed.options;
  } catch (error) {
    if (error instanceof UsageError) return fail(undefined, error.message, 2);
    throw error;
  }

  // With --dry-run stdout carries only frames, so the log goes to stderr.
  const logger = createLogger({ name: "simulator", destination: options.dryRun ? 2 : 1 }, env);
  const interrupt = new AbortController();
  const stopListening = onShutdownSignal({
    onStop(signal) {
      logger.warn({ signal }, "hanging up (press Ctrl-C again to quit at once)");
      interrupt.abort();
    },
    onForce() {
      process.stderr.write("simulate: interrupted again, exiting without hanging up\n");
      process.exit(130);
    },
  });
  try {
    return await simulate(options, logger, interrupt.signal);
  } catch (error) {
    if (error instanceof StreamRefusedError) {
      const hint =
        error.status === 403
          ? " (does TWILIO_AUTH_TOKEN and TWILIO_STREAM_URL match the bridge's?)"
          : error.status === undefined
            ? " (is the bridge running?)"
            : "";
      return fail(logger, `${error.message}${hint}`, 1);
    }
    if (error instanceof RecordingError) return fail(logger, error.message, 2);
    throw error;
  } finally {
    stopListening();
  }
}

// `--dry-run | head` closes stdout early; that ends the listing, it is not a failure.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code !== "EPIPE") throw error;
  process.exit(0);
});

// Exit code through process.exitCode so pino's transport can flush the last lines.
main(process.argv.slice(2), process.env).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`simulate: unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
