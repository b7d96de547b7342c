// `npm run simulate`: plays a phone call through a running anycable-go. See --help.
import { createLogger, onShutdownSignal, type Logger } from "anycable-ts";
import { RecordingError } from "../media-stream/recording.js";
import { CableError } from "./cable-client.js";
import { parseCommandLine, UsageError, USAGE, DEFAULT_ACCOUNT_SID, type SimulatorOptions } from "./options.js";
import { planDurationMs, planResults } from "./plan.js";
import { planFrames, runCall } from "./run.js";
import { ScriptError } from "./script.js";
import { buildPlan } from "./simulator.js";

function fail(logger: Logger | undefined, message: string, code: number): number {
  logger?.error(message);
  process.stderr.write(`simulate: ${message}\n`);
  return code;
}

async function simulate(options: SimulatorOptions, logger: Logger, signal: AbortSignal): Promise<number> {
  if (options.accountDefaulted) {
    logger.warn({ account: DEFAULT_ACCOUNT_SID }, "no account configured (--account or TWILIO_ACCOUNT_SID): using the recordings' default");
  }
  const plan = await buildPlan(options, { logger, signal });
  if (signal.aborted) {
    logger.warn("interrupted before the call started");
    return 0;
  }
  const results = planResults(plan);
  logger.info(
    {
      source: plan.source,
      callSid: plan.callSid,
      account: plan.accountSid,
      results: results.length,
      finals: results.filter((r) => r.final).length,
      seconds: Number((planDurationMs(plan) / 1000 / options.speed).toFixed(2)),
    },
    options.dryRun ? "dry run: frames follow on stdout" : "call planned",
  );
  if (options.dryRun) {
    for (const frame of planFrames(plan)) process.stdout.write(`${frame}\n`);
    return 0;
  }
  const outcome = await runCall(plan, { url: options.url, logger, speed: options.speed, timeoutMs: options.timeoutMs, signal });
  logger.info(
    { sent: outcome.sent, of: results.length, interrupted: outcome.interrupted },
    outcome.interrupted ? "call ended early" : "call completed",
  );
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
    if (error instanceof CableError && error.kind === "aborted") {
      logger.warn(error.message);
      return 0;
    }
    if (error instanceof CableError) return fail(logger, error.message, 1);
    if (error instanceof ScriptError || error instanceof RecordingError) return fail(logger, error.message, 2);
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
