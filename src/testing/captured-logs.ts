import { pino, type Logger } from "pino";

/** One log line as pino writes it. */
export interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

export interface CapturedLogs {
  logger: Logger;
  lines: LogLine[];
}

/** A real pino logger whose lines land in memory, synchronously, so tests can read what operators would see. */
export function captureLogs(level: pino.LevelWithSilent = "debug"): CapturedLogs {
  const lines: LogLine[] = [];
  const logger = pino(
    { level },
    {
      write(chunk: string) {
        lines.push(JSON.parse(chunk) as LogLine);
      },
    },
  );
  return { logger, lines };
}
