import type { Logger } from "pino";
import { isConfigError } from "../config/errors.js";
import { createLogger } from "../logging/logger.js";
import type { ProcessHost } from "./process-host.js";
import { logUnhandledRejections } from "./safety-nets.js";
import { onShutdownSignal } from "./shutdown-signals.js";

/** Something long-running a process serves until it is told to stop. */
export interface RunningService {
  /** Stops gracefully (drain, flush, close). */
  stop(): Promise<void>;
  /** Called on a second signal, just before the process exits without waiting (kill children, say). */
  forceStop?(): void;
}

export interface ProcessContext {
  logger: Logger;
  env: NodeJS.ProcessEnv;
  /** Stops the process as a signal would, ending with `code` (e.g. a child it depends on exited). */
  requestStop(code: number): void;
}

export interface RunProcessOptions {
  /** The logger's name, e.g. "rpc" or "web". */
  name: string;
  /** Default: the environment of `process`. */
  env?: NodeJS.ProcessEnv;
  /** The process whose signals stop the service and whose exit code it sets. Default: this one. */
  process?: ProcessHost;
  /** Default: a logger named `name`, configured from `env` (ANYCABLE_LOG_LEVEL, ANYCABLE_LOG_FORMAT). */
  logger?: Logger;
  start(context: ProcessContext): Promise<RunningService>;
  /** How long lingering handles (a broker's reconnect timer) may delay the exit after stopping. Default 100 ms. */
  exitDelayMs?: number;
}

/**
 * The one way a long-running command of this framework runs: one logger for the process,
 * unawaited rejections logged rather than fatal, a configuration error printed as a plain
 * message (exit 1), any other start-up failure logged as fatal (exit 1), SIGINT / SIGTERM
 * stopping gracefully (exit 0) and a second signal forcing the exit (exit 1). Resolves with that
 * exit code once it is set.
 */
export async function runProcess(options: RunProcessOptions): Promise<number> {
  const host = options.process ?? process;
  const env = options.env ?? host.env;
  const logger = options.logger ?? createLogger({ name: options.name }, env);
  logUnhandledRejections(logger, host);
  const code = await serve(options, logger, env, host);
  host.exitCode = code;
  setTimeout(() => host.exit(), options.exitDelayMs ?? 100).unref();
  return code;
}

async function serve(options: RunProcessOptions, logger: Logger, env: NodeJS.ProcessEnv, host: ProcessHost): Promise<number> {
  let stopRequested: ((code: number) => void) | undefined;
  let earlyStop: number | undefined;
  const requestStop = (code: number): void => {
    if (stopRequested) stopRequested(code);
    else earlyStop ??= code;
  };
  let service: RunningService;
  try {
    service = await options.start({ logger, env, requestStop });
  } catch (error) {
    if (isConfigError(error)) {
      host.stderr.write(`${error.message}\n`);
    } else {
      logger.fatal({ err: error }, `cannot start: ${error instanceof Error ? error.message : String(error)}`);
    }
    return 1;
  }
  return new Promise<number>((done) => {
    let stopping = false;
    const stop = (code: number): void => {
      if (stopping) return;
      stopping = true;
      service.stop().then(
        () => done(code),
        (error: unknown) => {
          logger.error({ err: error }, "shutdown failed");
          done(1);
        },
      );
    };
    stopRequested = stop;
    onShutdownSignal(
      {
        onStop(signal) {
          logger.info({ signal }, "shutting down");
          stop(0);
        },
        onForce(signal) {
          logger.warn({ signal }, "second signal: exiting without waiting");
          service.forceStop?.();
          done(1);
        },
      },
      host,
    );
    if (earlyStop !== undefined) stop(earlyStop);
  });
}
