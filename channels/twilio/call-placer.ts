import type { Logger } from "anycable-ts";
import type { TwilioRestConfig } from "../config/twilio-rest-config.js";
import { STREAM_TOKEN_PARAMETER, StreamTokens } from "../credentials/stream-token.js";
import { statusEvent } from "../calls/call-event.js";
import type { CallFeed } from "../feed/call-feed.js";
import { attachMediaStream, type AttachMediaStreamOptions, type AttachOutcome } from "./attach-media-stream.js";
import { callStatusEvent } from "./call-status.js";
import { callTwiml } from "./call-twiml.js";
import { describeTwilioError } from "./describe-twilio-error.js";
import { createTwilioClient, type TwilioClient } from "./rest-client.js";

export type PlaceCallResult =
  { ok: true; sid: string; streamAttached: Promise<AttachOutcome | undefined> } | { ok: false; message: string };

export interface CallPlacerOptions {
  config: TwilioRestConfig;
  feed: CallFeed;
  logger: Logger;
  /** Where Twilio posts status changes (`<public URL>/twilio/status`); omitted when Twilio could not reach us. */
  statusCallbackUrl: string | undefined;
  attach?: Pick<AttachMediaStreamOptions, "pollIntervalMs" | "answerTimeoutMs">;
  client?: TwilioClient;
}

/**
 * Places outbound calls and follows each one until its audio is streaming to us. Creating the
 * call is awaited, so Twilio's refusal reaches the form; waiting for an answer (up to a minute)
 * happens in the background, reporting progress on the call's timeline, which the page the user
 * is redirected to is already watching.
 */
export class CallPlacer {
  readonly #options: CallPlacerOptions;
  readonly #client: TwilioClient;
  readonly #tokens: StreamTokens;
  readonly #inFlight = new Set<Promise<unknown>>();
  readonly #stopping = new AbortController();

  constructor(options: CallPlacerOptions) {
    this.#options = options;
    this.#client = options.client ?? createTwilioClient(options.config);
    this.#tokens = new StreamTokens(options.config.bridgeSecret);
  }

  async place(to: string): Promise<PlaceCallResult> {
    const { config, logger, feed, statusCallbackUrl } = this.#options;
    let sid: string;
    try {
      const call = await this.#client.calls.create({
        to,
        from: config.phoneNumber,
        timeout: 30,
        twiml: callTwiml(config.phrase),
        ...(statusCallbackUrl
          ? {
              statusCallback: statusCallbackUrl,
              statusCallbackMethod: "POST",
              statusCallbackEvent: ["initiated", "ringing", "answered", "completed"],
            }
          : {}),
      });
      sid = call.sid;
    } catch (error) {
      const message = describeTwilioError(error);
      logger.warn({ err: error }, `placing a call failed: ${message}`);
      return { ok: false, message };
    }
    logger.info({ callSid: sid }, "call placed");
    await feed.eventHappened(sid, statusEvent("placed", `Calling ${to} from ${config.phoneNumber}`));
    const streamAttached = this.#follow(sid);
    return { ok: true, sid, streamAttached };
  }

  /** Stops following calls (they carry on at Twilio) and waits for the followers to finish. */
  async close(): Promise<void> {
    this.#stopping.abort();
    await Promise.allSettled([...this.#inFlight]);
  }

  #follow(sid: string): Promise<AttachOutcome | undefined> {
    const { config, feed, logger } = this.#options;
    const run = (async (): Promise<AttachOutcome | undefined> => {
      try {
        const outcome = await attachMediaStream(this.#client, sid, {
          ...this.#options.attach,
          streamUrl: config.streamUrl,
          // The bridge accepts the stream only with a token minted for this very call.
          parameters: (callSid) => ({ [STREAM_TOKEN_PARAMETER]: this.#tokens.mint(callSid) }),
          signal: this.#stopping.signal,
          onStatus: (status) => feed.eventHappened(sid, callStatusEvent(status)),
        });
        await this.#report(sid, outcome);
        return outcome;
      } catch (error) {
        if (this.#stopping.signal.aborted) return undefined;
        const message = describeTwilioError(error);
        logger.warn({ callSid: sid, err: error }, `attaching the media stream failed: ${message}`);
        await feed.eventHappened(sid, statusEvent("stream-failed", `Could not start the media stream: ${message}`));
        return undefined;
      }
    })();
    this.#inFlight.add(run);
    void run.finally(() => this.#inFlight.delete(run));
    return run;
  }

  async #report(sid: string, outcome: AttachOutcome): Promise<void> {
    const { feed, logger } = this.#options;
    switch (outcome.kind) {
      case "attached":
        logger.info({ callSid: sid, streamSid: outcome.streamSid }, "media stream requested");
        await feed.eventHappened(sid, statusEvent("stream", "Media stream requested — the transcript appears here as the caller speaks"));
        return;
      case "ended":
        await feed.callEnded(sid, callStatusEvent(outcome.status));
        return;
      case "timed-out":
        logger.warn({ callSid: sid, lastStatus: outcome.lastStatus }, "call not answered in time; no media stream");
        await feed.eventHappened(sid, statusEvent("stream-timeout", "Gave up waiting for an answer; no media stream was started"));
        return;
    }
  }
}
