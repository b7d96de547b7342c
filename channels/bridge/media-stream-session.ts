// One Twilio media stream, from its first frame to the Disconnect it ends with.
import type WebSocket from "ws";
import type { Logger } from "anycable-ts";
import type { AccountSidCheck } from "../cable/account-sid-check.js";
import { BRIDGE_CREDENTIAL_HEADER, TWILIO_ACCOUNT_HEADER, twilioCallIdentifier } from "../cable/protocol.js";
import type { BridgeCredentials } from "../credentials/bridge-credential.js";
import { STREAM_TOKEN_PARAMETER, type StreamTokens } from "../credentials/stream-token.js";
import { MediaStreamFrame, type MediaFrame, type StartFrame } from "../media-stream/frames.js";
import { decodeMulaw } from "../media-stream/mulaw.js";
import type { RecognitionStream, Recognizer, SpeechResult } from "../speech/recognizer.js";
import { CallCable, CallCableError } from "./call-cable.js";
import { CloseCode } from "./close-codes.js";
import { FRAMES_PER_RECOGNIZER_WRITE, MAX_MEDIA_PAYLOAD_BYTES, MAX_QUEUED_PERFORMS, START_TIMEOUT_MS } from "./stream-rules.js";

export interface SessionContext {
  cableUrl: string;
  accountCheck: AccountSidCheck;
  streamTokens: StreamTokens;
  bridgeCredentials: BridgeCredentials;
  recognizer: Recognizer;
  logger: Logger;
  heartbeatIntervalMs: number;
  flushTimeoutMs: number;
  handshakeTimeoutMs: number;
}

type Phase = "awaiting-start" | "connecting" | "streaming" | "ending" | "ended";

export class StreamRefusal extends Error {
  override name = "StreamRefusal";
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Follows Twilio's frame sequence (connected, start, media…, stop) on one socket. On `start` it
 * checks the account and the per-call token, opens the call's own cable connection and a
 * recognition stream; inbound audio goes to the recognizer, each non-empty result becomes one
 * `handle_message`. Any broken rule closes the stream with a logged reason. However the stream
 * ends, final results are flushed (bounded) before the cable closes and anycable-go runs
 * Disconnect.
 */
export class MediaStreamSession {
  readonly #socket: WebSocket;
  readonly #context: SessionContext;
  #logger: Logger;
  #phase: Phase = "awaiting-start";
  #lastSequence = 0;
  #streamSid: string | undefined;
  #cable: CallCable | undefined;
  #recognition: RecognitionStream | undefined;
  #pending: Int16Array[] = [];
  #pendingFrames = 0;
  #connecting: Promise<CallCable | undefined> | undefined;
  // Results before the subscription is confirmed, bounded like the cable's queue.
  readonly #early: SpeechResult[] = [];
  #heartbeat: NodeJS.Timeout | undefined;
  readonly #startTimer: NodeJS.Timeout;
  #finished: Promise<void> | undefined;
  readonly #done: Promise<void>;
  #resolveDone!: () => void;

  constructor(socket: WebSocket, context: SessionContext) {
    this.#socket = socket;
    this.#context = context;
    this.#logger = context.logger;
    this.#done = new Promise((resolve) => (this.#resolveDone = resolve));
    this.#startTimer = setTimeout(
      () => this.#refuse(new StreamRefusal(CloseCode.policyViolation, `no start frame within ${START_TIMEOUT_MS / 1000} s`)),
      START_TIMEOUT_MS,
    );
    socket.on("message", (data, isBinary) => this.#onFrame(data as Buffer, isBinary));
    socket.on("error", (error: Error & { code?: string }) => {
      // ws reports oversized and invalid frames here, then closes the socket itself.
      this.#logger.warn({ err: error.message, code: error.code }, "media stream closed: the socket broke a WebSocket rule");
    });
    socket.on("close", (code, reason) => {
      if (this.#phase !== "ending" && this.#phase !== "ended")
        this.#logger.info({ code, reason: reason.toString() }, "media stream socket closed without a stop frame");
      void this.#finish();
    });
  }

  /** Resolves once the call's cable connection is closed and every resource released. */
  get done(): Promise<void> {
    return this.#done;
  }

  /** Ends the stream as a shutdown would: flush, Disconnect, close the socket. */
  shutdown(): Promise<void> {
    if (this.#socket.readyState === this.#socket.OPEN) this.#socket.close(CloseCode.goingAway, "bridge shutting down");
    return this.#finish();
  }

  #onFrame(data: Buffer, isBinary: boolean): void {
    if (this.#phase === "ending" || this.#phase === "ended") return;
    try {
      if (isBinary) throw new StreamRefusal(CloseCode.unsupportedData, "binary frame: Twilio sends JSON text frames");
      let json: unknown;
      try {
        json = JSON.parse(data.toString("utf8"));
      } catch {
        throw new StreamRefusal(CloseCode.invalidPayload, "frame is not JSON");
      }
      const parsed = MediaStreamFrame.safeParse(json);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const where = issue?.path.length ? ` at ${issue.path.join(".")}` : "";
        throw new StreamRefusal(CloseCode.invalidPayload, `malformed frame${where}: ${issue?.message ?? "invalid"}`);
      }
      this.#handle(parsed.data);
    } catch (error) {
      if (error instanceof StreamRefusal) this.#refuse(error);
      else this.#refuse(new StreamRefusal(CloseCode.internalError, `bridge failure: ${(error as Error).message}`), error);
    }
  }

  #handle(frame: MediaStreamFrame): void {
    if (frame.event === "connected") {
      if (this.#lastSequence !== 0) throw new StreamRefusal(CloseCode.policyViolation, "connected frame after the stream started");
      return;
    }
    this.#checkSequence(frame.sequenceNumber);
    if (frame.event === "start") return this.#start(frame);
    if (this.#phase === "awaiting-start") throw new StreamRefusal(CloseCode.policyViolation, `${frame.event} frame before start`);
    if (frame.streamSid !== this.#streamSid)
      throw new StreamRefusal(CloseCode.policyViolation, "frame for another stream (streamSid differs from start)");
    switch (frame.event) {
      case "media":
        return this.#media(frame);
      case "stop":
        this.#logger.info("stop frame: ending the call");
        void this.#finish();
        return;
      case "mark":
      case "dtmf":
        return;
    }
  }

  #checkSequence(raw: string): void {
    const sequence = /^[1-9]\d{0,15}$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(sequence))
      throw new StreamRefusal(CloseCode.invalidPayload, `sequenceNumber "${raw.slice(0, 20)}" is not a positive integer`);
    if (sequence !== this.#lastSequence + 1)
      throw new StreamRefusal(CloseCode.policyViolation, `out-of-order frame: sequenceNumber ${sequence} after ${this.#lastSequence}`);
    this.#lastSequence = sequence;
  }

  #start(frame: StartFrame): void {
    if (this.#phase !== "awaiting-start") throw new StreamRefusal(CloseCode.policyViolation, "a second start frame");
    clearTimeout(this.#startTimer);
    const { start } = frame;
    if (start.streamSid !== frame.streamSid)
      throw new StreamRefusal(CloseCode.policyViolation, "start.streamSid differs from the frame's streamSid");
    this.#logger = this.#context.logger.child({ callSid: start.callSid, streamSid: frame.streamSid });
    if (this.#context.accountCheck.verify(start.accountSid) !== "match")
      throw new StreamRefusal(CloseCode.policyViolation, "start.accountSid is not the configured TWILIO_ACCOUNT_SID");
    const verdict = this.#context.streamTokens.verify(start.callSid, start.customParameters?.[STREAM_TOKEN_PARAMETER]);
    if (verdict !== "valid")
      throw new StreamRefusal(
        CloseCode.policyViolation,
        `stream token ${verdict} (customParameters.${STREAM_TOKEN_PARAMETER} must be minted for this call)`,
      );
    if (!start.tracks.includes("inbound"))
      this.#logger.warn({ tracks: start.tracks }, "stream carries no inbound track: nothing to transcribe");
    this.#streamSid = frame.streamSid;
    this.#phase = "connecting";
    this.#logger.info("start frame: connecting the call to anycable-go");
    this.#connecting = this.#connect(start.accountSid, start.callSid);
  }

  async #connect(accountSid: string, callSid: string): Promise<CallCable | undefined> {
    // Results may come before the subscription is confirmed; they wait in #early (bounded).
    this.#recognition = this.#context.recognizer.start({ callSid, onResult: (result) => this.#onResult(result) });
    let cable: CallCable;
    try {
      cable = await CallCable.open({
        url: this.#context.cableUrl,
        headers: {
          [TWILIO_ACCOUNT_HEADER]: accountSid,
          [BRIDGE_CREDENTIAL_HEADER]: this.#context.bridgeCredentials.issue(callSid),
        },
        identifier: twilioCallIdentifier(callSid),
        logger: this.#logger,
        handshakeTimeoutMs: this.#context.handshakeTimeoutMs,
        maxQueued: MAX_QUEUED_PERFORMS,
        onLost: (error) => this.#refuse(new StreamRefusal(CloseCode.internalError, error.message)),
      });
    } catch (error) {
      const message = error instanceof CallCableError ? error.message : `cable connection failed: ${(error as Error).message}`;
      this.#refuse(new StreamRefusal(CloseCode.internalError, message));
      return undefined;
    }
    this.#cable = cable;
    for (const result of this.#early.splice(0)) this.#send(result);
    // The stream may have ended while anycable-go answered: #finish then closes this cable.
    if (this.#phase === "connecting") {
      this.#phase = "streaming";
      this.#heartbeat = setInterval(() => this.#cable?.perform("heartbeat", {}, true), this.#context.heartbeatIntervalMs);
      this.#heartbeat.unref();
      this.#logger.info("call connected: results flow to handle_message");
    }
    return cable;
  }

  #onResult(result: SpeechResult): void {
    if (result.event === "transcript" && result.text.trim() === "") return;
    if (this.#cable === undefined) {
      if (this.#early.length < MAX_QUEUED_PERFORMS) this.#early.push(result);
      else this.#logger.warn("results arrived faster than anycable-go accepted the call; dropping");
      return;
    }
    this.#send(result);
  }

  #send(result: SpeechResult): void {
    const { id, text, final, event } = result;
    this.#cable?.perform("handle_message", { result: { id, text, final, event } }, event === "transcript" && !final);
  }

  #media(frame: MediaFrame): void {
    if (frame.media.track !== "inbound") return; // the robot's own voice
    const payload = Buffer.from(frame.media.payload, "base64");
    if (payload.length > MAX_MEDIA_PAYLOAD_BYTES)
      throw new StreamRefusal(CloseCode.policyViolation, `media payload of ${payload.length} bytes (at most ${MAX_MEDIA_PAYLOAD_BYTES})`);
    this.#pending.push(decodeMulaw(payload));
    if (++this.#pendingFrames >= FRAMES_PER_RECOGNIZER_WRITE) this.#flushAudio();
  }

  #flushAudio(): void {
    if (this.#pending.length === 0) return;
    const length = this.#pending.reduce((sum, chunk) => sum + chunk.length, 0);
    const batch = new Int16Array(length);
    let offset = 0;
    for (const chunk of this.#pending) {
      batch.set(chunk, offset);
      offset += chunk.length;
    }
    this.#pending = [];
    this.#pendingFrames = 0;
    this.#recognition?.write(batch);
  }

  #refuse(refusal: StreamRefusal, cause?: unknown): void {
    if (this.#phase === "ended") return;
    const level = refusal.code === CloseCode.internalError && cause ? "error" : "warn";
    this.#logger[level](
      { code: refusal.code, reason: refusal.message, ...(cause ? { err: cause } : {}) },
      `media stream closed: ${refusal.message}`,
    );
    if (this.#socket.readyState === this.#socket.OPEN || this.#socket.readyState === this.#socket.CONNECTING)
      // Close reasons are limited to 123 bytes.
      this.#socket.close(refusal.code, Buffer.from(refusal.message).subarray(0, 120).toString());
    void this.#finish();
  }

  #finish(): Promise<void> {
    this.#finished ??= (async () => {
      this.#phase = "ending";
      clearTimeout(this.#startTimer);
      clearInterval(this.#heartbeat);
      const { flushTimeoutMs } = this.#context;
      const deadline = Date.now() + flushTimeoutMs;
      this.#flushAudio();
      // Final results first (bounded), then the cable drains and closes: anycable-go's Disconnect
      // comes after the last handle_message it received.
      await this.#recognition
        ?.end(flushTimeoutMs)
        .catch((error: unknown) => this.#logger.warn({ err: error }, "recognizer failed to finish"));
      this.#recognition?.close();
      const cable = await this.#cableBy(deadline);
      await cable?.close(Math.max(1_000, deadline - Date.now()));
      if (this.#socket.readyState === this.#socket.OPEN) this.#socket.close(CloseCode.normal, "stream ended");
      this.#phase = "ended";
      this.#logger.info({ droppedPerforms: cable?.dropped ?? 0 }, "call ended");
      this.#resolveDone();
    })();
    return this.#finished;
  }

  /** The call's cable, waiting (until `deadline`) for one still being opened when the stream ended. */
  async #cableBy(deadline: number): Promise<CallCable | undefined> {
    if (this.#connecting === undefined) return undefined;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), Math.max(0, deadline - Date.now()))));
    const cable = await Promise.race([this.#connecting, late]);
    clearTimeout(timer);
    // Still opening after the deadline: close it whenever it opens, so no connection outlives its stream.
    if (cable === undefined) void this.#connecting.then((late) => late?.close(1_000));
    return cable;
  }
}
