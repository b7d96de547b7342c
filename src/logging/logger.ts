import { createRequire } from "node:module";
import { pino, type Logger, type LevelWithSilent } from "pino";

export type { Logger };

/** Buffered log bytes that make a write: about twenty JSON lines. */
const STDOUT_BATCH_BYTES = 4096;
/** The longest a log line waits in the buffer when traffic is light. */
const STDOUT_FLUSH_MS = 100;

const LEVELS: readonly LevelWithSilent[] = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

function levelFromEnv(env: NodeJS.ProcessEnv): LevelWithSilent {
  // ANYCABLE_DEBUG=true is the AnyCable shortcut for debug logging.
  if (env.ANYCABLE_DEBUG === "true" || env.ANYCABLE_DEBUG === "1") return "debug";
  // An env object built by hand may hold a non-string: like an unknown level name, it means info.
  const raw: unknown = env.ANYCABLE_LOG_LEVEL ?? env.LOG_LEVEL;
  const level = typeof raw === "string" ? raw.toLowerCase() : "info";
  return (LEVELS as readonly string[]).includes(level) ? (level as LevelWithSilent) : "info";
}

export interface LoggerOptions {
  name?: string;
  level?: LevelWithSilent;
  /** Human-readable lines instead of JSON; defaults to on for a terminal. */
  pretty?: boolean;
  /**
   * 1 (stdout, the default), 2 (stderr: for a command whose stdout is its output), or the path of
   * a file to append to.
   */
  destination?: 1 | 2 | string;
}

/**
 * Where pino-pretty is, when it is installed. It is optional (a development tool, not a
 * dependency of this package): without it, logs stay JSON instead of failing to start.
 */
function prettyTransportTarget(): string | undefined {
  try {
    return createRequire(import.meta.url).resolve("pino-pretty");
  } catch {
    return undefined;
  }
}

/** pino's SonicBoom; `destroyed` (set once it closes, when flush() would throw) is missing from its types, pino reads it too. */
type Destination = ReturnType<typeof pino.destination> & { readonly destroyed?: boolean };

/**
 * Flushes `destination` every STDOUT_FLUSH_MS while it holds bytes not yet written, and returns
 * the pino streamWrite hook that counts what it is handed (its "write" events count what left).
 * sonic-boom's own periodicFlush is not used: its flush() writes an empty string when nothing is
 * buffered, so an idle process made ten empty writes a second through libuv's thread pool.
 */
function flushWhileBuffered(destination: Destination): (line: string) => string {
  let unwritten = 0;
  destination.on("write", (bytes: number) => {
    unwritten -= bytes;
  });
  const timer = setInterval(() => {
    // A flush during a write does nothing; what is left is still counted, for the next tick.
    if (unwritten > 0 && !destination.destroyed) destination.flush();
  }, STDOUT_FLUSH_MS);
  timer.unref();
  destination.once("close", () => clearInterval(timer));
  // When the reader of a pipe has gone (EPIPE), pino turns the destination's write into a no-op,
  // but its flush still retries the line that failed: the timer would retry it every tick for the
  // rest of the process. Only the first error is heard, and before pino's own listener: pino
  // re-emits any other error with no listener left, so it is still thrown as it would be without
  // this timer.
  destination.prependOnceListener("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") clearInterval(timer);
  });
  return (line) => {
    unwritten += Buffer.byteLength(line);
    return line;
  };
}

interface BatchedDestination {
  destination: Destination;
  streamWrite: (line: string) => string;
}

/** The batched destination of each place loggers write to, shared by every logger writing there. */
const batchedDestinations = new Map<1 | string, BatchedDestination>();

/**
 * Loggers of one process that write to the same place share one buffer: each with a buffer of its
 * own, lines reached the output in the order the buffers were flushed, not the order they were
 * logged (`npm start` runs five components' loggers in one process). A destination that has
 * closed (its reader gone) is replaced by a fresh one for loggers created after that.
 */
function batchedDestination(dest: 1 | string): BatchedDestination {
  const shared = batchedDestinations.get(dest);
  if (shared !== undefined && !shared.destination.destroyed) return shared;
  const destination: Destination = pino.destination({ dest, sync: false, minLength: STDOUT_BATCH_BYTES });
  const made = { destination, streamWrite: flushWhileBuffered(destination) };
  batchedDestinations.set(dest, made);
  return made;
}

/**
 * A process's logger (one per component, if it runs several: they share where they write). JSON
 * lines by default (what log shippers want); pretty output when a person is watching a terminal
 * or ANYCABLE_LOG_FORMAT=text asks for it.
 */
export function createLogger(options: LoggerOptions = {}, env: NodeJS.ProcessEnv = process.env): Logger {
  const level = options.level ?? levelFromEnv(env);
  const dest = options.destination ?? 1;
  const isTTY = typeof dest === "number" && (dest === 1 ? process.stdout : process.stderr).isTTY === true;
  const pretty = options.pretty ?? (env.ANYCABLE_LOG_FORMAT === "text" || (env.ANYCABLE_LOG_FORMAT !== "json" && isTTY));
  const settings = { name: options.name ?? "anycable-ts", level };
  const prettyTarget = pretty ? prettyTransportTarget() : undefined;
  if (prettyTarget) {
    return pino({
      ...settings,
      transport: {
        target: prettyTarget,
        options: { destination: dest, colorize: isTTY, translateTime: "HH:MM:ss.l", ignore: "pid,hostname" },
      },
    });
  }
  // Asynchronous, batched writes: lines leave in one write per STDOUT_BATCH_BYTES, or every
  // STDOUT_FLUSH_MS when traffic is light. Unbatched, an asynchronous write goes through libuv's
  // thread pool once per line whenever calls arrive one at a time (anycable-go's real traffic,
  // unlike a saturating benchmark): ~55 µs of CPU per line on this project's 2-core host, against
  // ~25 µs batched, and about a quarter of an RPC call's cost in a connection storm. pino flushes
  // what is pending when the process exits. stderr stays synchronous, as it conventionally is.
  let logger: Logger;
  if (dest === 2) {
    logger = pino(settings, pino.destination({ dest, sync: true }));
  } else {
    const { destination, streamWrite } = batchedDestination(dest);
    logger = pino({ ...settings, hooks: { streamWrite } }, destination);
  }
  if (pretty && env.ANYCABLE_LOG_FORMAT === "text") {
    logger.warn("ANYCABLE_LOG_FORMAT=text needs pino-pretty (npm install pino-pretty); logging JSON instead");
  }
  return logger;
}

/** A logger that drops everything, for tests and embedding. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
