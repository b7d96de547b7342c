import type { Logger } from "pino";
import { ChannelRefusal, UnauthorizedError } from "../../cable/errors.js";
import type { Failure } from "../dispatch/outcome.js";
import { CallRefusal } from "../dispatch/refusals.js";

/**
 * The one way a failure is reported: logged once, at a level that says whose fault it is, and
 * turned into the response's error_msg. A refusal (the client, or anycable-go's request, asked
 * for something not accepted) keeps its message; an application exception is logged with its
 * stack and named by where it happened.
 */
export function reportFailure(logger: Logger, failure: Failure, context: Record<string, unknown>): string {
  const { error, where } = failure;
  if (error instanceof UnauthorizedError) {
    logger.info(context, "connection rejected: unauthorized");
    return error.message;
  }
  if (error instanceof ChannelRefusal || error instanceof CallRefusal) {
    logger.warn({ ...context, where }, error.message);
    return error.message;
  }
  const err = error instanceof Error ? error : new Error(String(error));
  logger.error({ ...context, where, err }, `exception in ${where}: ${err.message}`);
  return `${err.name} in ${where}: ${err.message}`;
}

/** A failure that refuses what the client asked for, rather than a failure to serve it. */
export function isRefusal(failure: Failure): boolean {
  return failure.error instanceof ChannelRefusal;
}
