import { Channel, z, type Logger } from "anycable-ts";
import { callSid } from "../calls/call-sid.js";
import type { CallMonitorConnection } from "./call-monitor-connection.js";
import { transcriptEvent } from "../calls/call-event.js";
import { CallFeed } from "../feed/call-feed.js";
import type { CallRegistry } from "../calls/call-registry.js";
import { KeyedRateLimit } from "../limits/keyed-rate-limit.js";
import { LogThrottle } from "../limits/log-throttle.js";
import { TWILIO_CHANNEL } from "./protocol.js";
import { handleMessageData, type HandleMessageData } from "./recognition-result.js";
import { TwilioConnectionRequired } from "./twilio-connection-required.js";

const callParams = z.strictObject({ sid: callSid });

/** The bridge's keep-alive: `{"action":"heartbeat"}` while the media stream is open. */
const heartbeatData = z.object({});

/** One warning per call per 5 s while its transcripts are being dropped. */
const overLimitWarnings = new LogThrottle(5_000);
type CallParams = z.infer<typeof callParams>;

/**
 * One phone call's media stream: `{"channel":"twilio","sid":"CA…"}`. Subscribing means the call
 * is live, each `handle_message` is a speech-recognition result, and unsubscribing (which the RPC
 * server also runs on Disconnect) means it ended. Only the bridge's connection for this very call
 * (account and bridge credential proven at Connect, the CallSid in its identifiers) may do any of
 * this, and one stream per call may be live at a time; anyone else could otherwise fake calls and
 * transcripts, or end someone else's call.
 *
 * Use a subclass from createCallMonitorApplication(), which binds the registry.
 */
export class TwilioCallChannel extends Channel<CallParams, CallMonitorConnection> {
  static override identifier = TWILIO_CHANNEL;
  static override params = callParams;
  static override actions = { handle_message: handleMessageData, heartbeat: heartbeatData };
  /** Set by the application factory. */
  static registry: CallRegistry | undefined = undefined;
  /** Transcripts per call stream; the application factory sets it from CALL_TRANSCRIPTS_PER_SECOND. */
  static transcriptLimit = new KeyedRateLimit({ limit: 50, intervalMs: 1_000 });

  override async subscribed(): Promise<void> {
    const own = this.connection.twilioCallSid;
    if (own === undefined) {
      this.logger.warn({ callSid: this.params.sid }, "twilio subscription refused: not a Twilio media stream");
      this.reject();
      return;
    }
    if (own !== this.params.sid) {
      this.logger.warn(
        { callSid: this.params.sid, credentialCallSid: own },
        "twilio subscription refused: the bridge credential is for another call",
      );
      this.reject();
      return;
    }
    if (!(await this.#feed().callStarted(this.params.sid))) {
      this.logger.warn({ callSid: this.params.sid }, "twilio subscription refused: the call already has a live media stream");
      this.reject();
      return;
    }
    // Debug, like every per-call line of an AnyCable RPC server (anycable-go logs sessions at
    // debug, the Ruby server keeps access logs off by default): the call's lifecycle is logged at
    // info once, by the bridge that holds its media stream, and shown on the dashboard.
    if (this.logs("debug")) this.logger.debug({ callSid: this.params.sid }, "call started");
  }

  override async unsubscribed(): Promise<void> {
    // Only accepted subscriptions reach here through anycable-go; this guards direct RPC calls.
    if (this.connection.twilioCallSid !== this.params.sid) return;
    if (this.logs("debug")) this.logger.debug({ callSid: this.params.sid }, "call stopped");
    await this.#feed().callStopped(this.params.sid);
  }

  async handle_message(data: HandleMessageData): Promise<void> {
    if (this.connection.twilioCallSid !== this.params.sid) throw new TwilioConnectionRequired("handle_message");
    const { result } = data;
    if (result.event === "error") {
      this.logger.warn({ callSid: this.params.sid, recognizerError: result.text }, "speech recognition error (not shown on the dashboard)");
      return;
    }
    const { sid } = this.params;
    const limit = (this.constructor as typeof TwilioCallChannel).transcriptLimit;
    if (!limit.take(sid)) {
      if (overLimitWarnings.shouldLog(sid)) {
        this.logger.warn(
          { callSid: sid, perSecond: limit.limit },
          "transcripts over the rate limit (CALL_TRANSCRIPTS_PER_SECOND) are being dropped",
        );
      }
      return;
    }
    const feed = this.#feed();
    // The lease renewal and the transcript are independent writes: both go to the registry before
    // either is awaited, so with Redis a transcript costs one round trip rather than one after the
    // other (neither settles with an error: the feed logs registry failures).
    const renewed = feed.callAlive(sid, false);
    // Recognisers open a phrase with empty partials; an empty bubble tells the viewer nothing.
    if (result.text.trim() === "") return renewed;
    if (this.logs("debug")) this.logger.debug({ callSid: sid, resultId: result.id, final: result.final }, "transcript");
    await feed.eventHappened(sid, transcriptEvent(result.id, result.text, result.final));
    await renewed;
  }

  /** The stream is still open: renews the call's lease (see CallRegistry.touch). */
  async heartbeat(): Promise<void> {
    if (this.connection.twilioCallSid !== this.params.sid) throw new TwilioConnectionRequired("heartbeat");
    await this.#feed().callAlive(this.params.sid, true);
  }

  #feed(): CallFeed {
    const registry = (this.constructor as typeof TwilioCallChannel).registry;
    if (!registry) throw new Error(`${this.constructor.name} has no registry: build the application with createCallMonitorApplication()`);
    return new CallFeed({ registry, broadcaster: this.broadcaster, logger: loggerOf(this) });
  }
}

/**
 * The channel's logger, built only if the feed has something to log. A helper rather than an
 * arrow written in the options literal: tsx (esbuild's keepNames) wraps a function literal that
 * sits in a named position in `__name()`, an Object.defineProperty on every call.
 */
function loggerOf(channel: TwilioCallChannel): () => Logger {
  return () => channel.logger;
}
