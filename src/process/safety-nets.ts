import type { Logger } from "pino";

/**
 * A promise an application forgot to await (a broadcast fired and not awaited, say) must not take
 * down a server that thousands of sockets depend on: Node's default for an unhandled rejection is
 * to exit. It is logged as an error with its stack instead, and the server keeps serving.
 */
export function logUnhandledRejections(logger: Logger): () => void {
  const onRejection = (reason: unknown): void => {
    const err = reason instanceof Error ? reason : new Error(String(reason));
    logger.error({ err }, `unhandled promise rejection (a promise nobody awaited): ${err.message}`);
  };
  process.on("unhandledRejection", onRejection);
  return () => process.off("unhandledRejection", onRejection);
}
