import { pino, type LevelWithSilent } from "pino";

import type { Logger } from "../../src/logging/logger.js";

export interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

const LEVELS = { debug: 20, info: 30, warn: 40, error: 50 } as const;

export interface CapturedLogs {
  logger: Logger;
  lines: LogLine[];
  /** Lines at exactly this level. */
  at(level: keyof typeof LEVELS): LogLine[];
}

export interface CaptureLoggerOptions {
  /** Lowest level kept. Default 'debug'; a test that counts lines may want only warnings. */
  level?: LevelWithSilent;
}

/**
 * A real pino logger whose JSON lines land in memory, so tests can assert what operators would
 * see. Writes are synchronous: a line is in `lines` as soon as the logging call returns.
 */
export function captureLogger(options: CaptureLoggerOptions = {}): CapturedLogs {
  const lines: LogLine[] = [];
  const logger = pino(
    { level: options.level ?? "debug" },
    {
      write(chunk: string) {
        lines.push(JSON.parse(chunk) as LogLine);
      },
    },
  );
  return { logger, lines, at: (level) => lines.filter((l) => l.level === LEVELS[level]) };
}
