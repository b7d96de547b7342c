import { pino } from "pino";
import type { Logger } from "../../../../src/logging/logger.js";

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

/** A real pino logger whose JSON lines land in memory, so tests can assert what operators would see. */
export function captureLogger(): CapturedLogs {
  const lines: LogLine[] = [];
  const logger = pino({ level: "debug" }, {
    write(chunk: string) {
      lines.push(JSON.parse(chunk) as LogLine);
    },
  });
  return { logger, lines, at: (level) => lines.filter((l) => l.level === LEVELS[level]) };
}
