// Carrying out a call plan against a running anycable-go, or listing what it would send.
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "pino";
import { CableClient, CableError } from "./cable-client.js";
import type { CallPlan } from "./plan.js";
import { ACCOUNT_HEADER, channelIdentifier, performFrame, subscribeFrame } from "./protocol.js";

/** Every text frame the call would send, in order, exactly as it would go on the wire. */
export function planFrames(plan: CallPlan): string[] {
  const identifier = channelIdentifier(plan.callSid);
  return [
    subscribeFrame(identifier),
    ...plan.steps.flatMap((step) => (step.kind === "result" ? [performFrame(identifier, step.result)] : [])),
  ];
}

export interface RunCallOptions {
  /** anycable-go's WebSocket endpoint, e.g. ws://localhost:8080/cable. */
  url: string;
  logger: Logger;
  /** Divides every wait: 10 plays a call ten times faster. */
  speed?: number;
  /** Bound on each handshake step and on the close handshake. */
  timeoutMs?: number;
  /** Aborting hangs up early (Ctrl-C); the call still ends with a normal close. */
  signal?: AbortSignal | undefined;
}

export interface CallOutcome {
  /** handle_message performs sent. */
  sent: number;
  interrupted: boolean;
  closeCode: number;
}

/**
 * Connect with the account header, subscribe to the call's channel, send the results on the
 * plan's schedule, hang up. Throws CableError when anycable-go or the application refuses.
 */
export async function runCall(plan: CallPlan, options: RunCallOptions): Promise<CallOutcome> {
  const speed = options.speed ?? 1;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const logger = options.logger;
  const identifier = channelIdentifier(plan.callSid);
  const client = await CableClient.connect({
    url: options.url,
    headers: { [ACCOUNT_HEADER]: plan.accountSid },
    logger,
    timeoutMs,
    signal: options.signal,
  });
  let sent = 0;
  let interrupted = false;
  try {
    logger.info({ identifier }, "→ subscribe");
    await client.subscribe(identifier, subscribeFrame(identifier), options.signal);

    const during = options.signal ? AbortSignal.any([options.signal, client.lost]) : client.lost;
    // Waits are scheduled against the call's start, so timer overshoot does not pile up.
    const startedAt = performance.now();
    let dueMs = 0;
    for (const step of plan.steps) {
      if (step.kind === "wait") {
        dueMs += step.ms / speed;
        const remaining = startedAt + dueMs - performance.now();
        if (remaining > 0) {
          try {
            await sleep(remaining, undefined, { signal: during });
          } catch {
            // fall through to the checks below: lost connection or Ctrl-C
          }
        }
      }
      if (client.lost.aborted) throw client.lost.reason;
      if (options.signal?.aborted) {
        interrupted = true;
        logger.warn({ sent }, "interrupted: hanging up early");
        break;
      }
      if (step.kind === "result") {
        const { result } = step;
        client.send(performFrame(identifier, result));
        sent++;
        const label = result.event === "error" ? "→ error" : result.final ? "→ final" : "→ partial";
        logger.info(result.event === "error" ? { text: result.text } : { id: result.id, text: result.text }, label);
      }
    }
  } catch (error) {
    client.terminate();
    if (error instanceof CableError && error.kind === "aborted") {
      logger.warn("interrupted before the subscription was confirmed");
      return { sent, interrupted: true, closeCode: 1006 };
    }
    throw error;
  }
  const closed = await client.hangUp();
  logger.info({ code: closed.code, sent }, "hung up");
  return { sent, interrupted, closeCode: closed.code };
}
