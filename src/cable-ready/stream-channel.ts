/**
 * The `CableReady::Stream` channel for when anycable-go does not answer it itself (it does when
 * started with a cable ready secret; without one the subscriptions come to RPC like any other).
 * It streams from the name inside a signed identifier made with the same secret, and refuses
 * anything else. A refusal is the normal answer to a forged or stale page, so it logs a warning
 * and rejects; it never throws.
 */
import { z } from "zod";
import { Channel } from "../cable/channel.js";
import { verifyStreamNameWithReason } from "../streams/signed-stream-name.js";

export const CABLE_READY_STREAM_CHANNEL = "CableReady::Stream";

export const cableReadyStreamParams = z.object({ identifier: z.string() });

export type CableReadyStreamParams = z.infer<typeof cableReadyStreamParams>;

/** Enough of the signed name to correlate log lines, not enough to flood them. */
function preview(signed: unknown): string {
  if (typeof signed !== "string") return `(${typeof signed})`;
  return signed.length > 80 ? `${signed.slice(0, 80)}…` : signed;
}

/** Builds the channel class bound to `secret`; with no secret every subscription is rejected. */
export function createCableReadyStreamChannel(secret: string | undefined) {
  if (secret !== undefined && (typeof secret !== "string" || secret === "")) {
    throw new TypeError("The Cable Ready secret must be a non-empty string, or undefined when there is none");
  }

  return class CableReadyStreamChannel extends Channel<CableReadyStreamParams> {
    static override identifier = CABLE_READY_STREAM_CHANNEL;
    static override params = cableReadyStreamParams;
    static override actions = {};

    override subscribed(): void {
      // Params come validated through the registry; read them defensively anyway, since a
      // refusal must never turn into an exception.
      const signed: unknown = (this.params as Partial<CableReadyStreamParams> | undefined)?.identifier;
      if (secret === undefined) {
        this.logger.warn(
          { identifier: preview(signed) },
          "CableReady::Stream subscription rejected: no Cable Ready secret is configured (ANYCABLE_CABLE_READY_SECRET, ANYCABLE_STREAMS_SECRET or ANYCABLE_SECRET)",
        );
        this.reject();
        return;
      }
      const result = verifyStreamNameWithReason(signed, secret);
      if (!result.ok) {
        this.logger.warn(
          { identifier: preview(signed), reason: result.reason },
          "CableReady::Stream subscription rejected: the signed stream name does not verify",
        );
        this.reject();
        return;
      }
      this.streamFrom(result.stream);
    }
  };
}

export type CableReadyStreamChannelClass = ReturnType<typeof createCableReadyStreamChannel>;
