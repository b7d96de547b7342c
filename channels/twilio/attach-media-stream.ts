import { setTimeout as sleep } from "node:timers/promises";
import { FINAL_CALL_STATUSES } from "./call-status.js";
import type { TwilioClient } from "./rest-client.js";

export type AttachOutcome =
  { kind: "attached"; streamSid: string } | { kind: "ended"; status: string } | { kind: "timed-out"; lastStatus: string | undefined };

export interface AttachMediaStreamOptions {
  /** The public wss:// URL of our media-stream bridge. */
  streamUrl: string;
  /** Stream parameters Twilio hands to the bridge in `start.customParameters` (at most 10 per stream). */
  parameters?: (callSid: string) => Record<string, string>;
  /** Between status checks. Default 1 s. */
  pollIntervalMs?: number;
  /**
   * Give up when the call is still not answered after this long. Default 60 s: the call rings
   * for at most 30 s (calls.create timeout) and Twilio may add a few seconds to that.
   */
  answerTimeoutMs?: number;
  /** Called with each status seen that differs from the previous one; awaited, so reports stay in order. */
  onStatus?: (status: string) => void | Promise<void>;
  signal?: AbortSignal;
}

/**
 * Waits for the call to be answered, then asks Twilio to fork its audio (both directions) to our
 * media stream endpoint. A stream can only be started on an in-progress call, hence the polling.
 * REST errors propagate to the caller.
 */
export async function attachMediaStream(client: TwilioClient, callSid: string, options: AttachMediaStreamOptions): Promise<AttachOutcome> {
  const pollIntervalMs = options.pollIntervalMs ?? 1_000;
  const deadline = Date.now() + (options.answerTimeoutMs ?? 60_000);
  let lastStatus: string | undefined;
  for (;;) {
    await sleep(pollIntervalMs, undefined, options.signal ? { signal: options.signal } : undefined);
    const call = await client.calls(callSid).fetch();
    if (call.status !== lastStatus) {
      lastStatus = call.status;
      await options.onStatus?.(call.status);
    }
    if (call.status === "in-progress") {
      const parameters = Object.entries(options.parameters?.(callSid) ?? {}).slice(0, 10);
      // The SDK names stream parameters by position: parameter1.name / parameter1.value, …
      const numbered = Object.fromEntries(
        parameters.flatMap(([name, value], i) => [
          [`parameter${i + 1}.name`, name],
          [`parameter${i + 1}.value`, value],
        ]),
      );
      const stream = await client.calls(callSid).streams.create({ url: options.streamUrl, track: "both_tracks", ...numbered });
      return { kind: "attached", streamSid: stream.sid };
    }
    if (FINAL_CALL_STATUSES.has(call.status)) return { kind: "ended", status: call.status };
    if (Date.now() >= deadline) return { kind: "timed-out", lastStatus };
  }
}
