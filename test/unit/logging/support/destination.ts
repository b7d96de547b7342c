import type { EventEmitter } from "node:events";
import { pino, type Logger } from "pino";

/** What a logger writes through: pino's SonicBoom, or a transport's stream. */
export type LoggerDestination = EventEmitter & { end(): void; destroyed?: boolean };

export function destinationOf(logger: Logger): LoggerDestination {
  return (logger as unknown as Record<symbol, LoggerDestination>)[pino.symbols.streamSym]!;
}

/** Ends the logger's destination and resolves once it has closed. */
export async function closeDestinationOf(logger: Logger): Promise<void> {
  const destination = destinationOf(logger);
  if (destination.destroyed) return;
  const closed = new Promise((resolve) => destination.once("close", resolve));
  destination.end();
  await closed;
}
