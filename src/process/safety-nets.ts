import type { Logger } from "pino";
import type { ProcessHost } from "./process-host.js";

/**
 * A promise an application forgot to await (a broadcast fired and not awaited, say) must not take
 * down a server that thousands of sockets depend on: Node's default for an unhandled rejection is
 * to exit. It is logged as an error with its stack instead, and the server keeps serving.
 */
export function logUnhandledRejections(logger: Logger, host: Pick<ProcessHost, "on" | "off"> = process): () => void {
  const onRejection = (reason: unknown): void => {
    const err = reason instanceof Error ? reason : new Error(String(reason));
    logger.error({ err }, `unhandled promise rejection (a promise nobody awaited): ${err.message}`);
  };
  host.on("unhandledRejection", onRejection);
  return () => host.off("unhandledRejection", onRejection);
}
