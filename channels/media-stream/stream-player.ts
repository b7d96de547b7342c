// Playing a recorded call to a media-stream endpoint exactly as Twilio would: the upgrade signed
// with X-Twilio-Signature over the stream URL Twilio was given, then connected, start (with the
// stream parameters in customParameters), the recording's media frames at its own pace with
// fresh sequence numbers, and stop. The simulator and the fake Twilio REST API both use it.
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import twilio from "twilio";
import WebSocket from "ws";
import type { Logger } from "anycable-ts";
import { TWILIO_SIGNATURE_HEADER } from "../twilio/signature-header.js";
import type { Recording } from "./recording.js";

export interface PlayStreamOptions {
  /** Where the socket is opened (the bridge's local ws:// address, or the public URL itself). */
  connectUrl: string;
  /** The stream URL Twilio was given (wss://…): what the signature covers. */
  streamUrl: string;
  authToken: string;
  accountSid: string;
  callSid: string;
  /** Stream parameters: `<Parameter>` in TwiML, `ParameterN.Name/Value` on streams.create. */
  customParameters: Record<string, string>;
  recording: Recording;
  /** Divides every pause: 10 plays ten times faster. Default 1 (real time). */
  speed?: number;
  /** Bound on the upgrade and on waiting for the far end to close after stop. Default 10 s. */
  timeoutMs?: number;
  /** Ends the call early (a stop frame is still sent). */
  signal?: AbortSignal | undefined;
  logger: Logger;
}

export interface PlayOutcome {
  /** Media frames sent (both tracks). */
  mediaFrames: number;
  /** True when the stream ran to its stop frame; false when the far end closed it first. */
  completed: boolean;
  closeCode: number;
  closeReason: string;
}

export class StreamRefusedError extends Error {
  override name = "StreamRefusedError";
  constructor(
    message: string,
    readonly status: number | undefined,
  ) {
    super(message);
  }
}

/** The signature Twilio puts on a stream's upgrade request: HMAC-SHA1 of the URL, no parameters. */
export function streamSignature(authToken: string, streamUrl: string): string {
  return twilio.getExpectedTwilioSignature(authToken, streamUrl, {});
}

export function newStreamSid(): string {
  return `MZ${randomBytes(16).toString("hex")}`;
}

function open(options: PlayStreamOptions): Promise<WebSocket> {
  const ws = new WebSocket(options.connectUrl, {
    headers: { [TWILIO_SIGNATURE_HEADER]: streamSignature(options.authToken, options.streamUrl) },
    handshakeTimeout: options.timeoutMs ?? 10_000,
    perMessageDeflate: false,
  });
  return new Promise((resolve, reject) => {
    ws.once("open", () => resolve(ws));
    ws.once("unexpected-response", (_request, response) => {
      ws.terminate();
      reject(new StreamRefusedError(`${options.connectUrl} refused the media stream: HTTP ${response.statusCode}`, response.statusCode));
    });
    ws.once("error", (error) => reject(new StreamRefusedError(`cannot open ${options.connectUrl}: ${error.message}`, undefined)));
  });
}

export type StreamStep = { kind: "frame"; frame: Record<string, unknown> } | { kind: "pause"; ms: number };

export interface StreamIdentity {
  accountSid: string;
  callSid: string;
  streamSid: string;
  customParameters: Record<string, string>;
}

/**
 * The frames Twilio would send for this recording, with the pauses between them: connected,
 * start (this call's identity and parameters), the recording's media frames renumbered from 2,
 * stop. The recording's own connected/start/stop/mark frames are replaced by these.
 */
export function twilioStreamSteps(recording: Recording, identity: StreamIdentity): StreamStep[] {
  const { accountSid, callSid, streamSid } = identity;
  let sequence = 0;
  const numbered = (event: string, body: Record<string, unknown>): StreamStep => ({
    kind: "frame",
    frame: { event, sequenceNumber: String(++sequence), streamSid, ...body },
  });
  const steps: StreamStep[] = [{ kind: "frame", frame: { event: "connected", protocol: "Call", version: "1.0.0" } }];
  steps.push(
    numbered("start", {
      start: {
        accountSid,
        streamSid,
        callSid,
        tracks: recording.start.tracks,
        mediaFormat: { encoding: "audio/x-mulaw", sampleRate: 8000, channels: 1 },
        customParameters: identity.customParameters,
      },
    }),
  );
  for (const step of recording.steps) {
    if (step.kind === "sleep") steps.push({ kind: "pause", ms: step.seconds * 1000 });
    else if (step.frame.event === "media") {
      const { track, chunk, timestamp, payload } = step.frame.media;
      steps.push(numbered("media", { media: { track, chunk, timestamp, payload } }));
    }
  }
  steps.push(numbered("stop", { stop: { accountSid, callSid } }));
  return steps;
}

export async function playMediaStream(options: PlayStreamOptions): Promise<PlayOutcome> {
  const { recording, logger } = options;
  const speed = options.speed ?? 1;
  const streamSid = newStreamSid();
  const steps = twilioStreamSteps(recording, {
    accountSid: options.accountSid,
    callSid: options.callSid,
    streamSid,
    customParameters: options.customParameters,
  });
  const ws = await open(options);
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once("close", (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  let farEndClosed: { code: number; reason: string } | undefined;
  void closed.then((c) => (farEndClosed = c));
  ws.on("error", (error) => logger.warn({ err: error.message }, "media stream socket error"));
  logger.info({ callSid: options.callSid, streamSid, url: options.connectUrl }, "media stream open");

  let mediaFrames = 0;
  let completed = false;
  // Pauses are scheduled against the stream's start, so timer overshoot does not pile up.
  const startedAt = performance.now();
  let dueMs = 0;
  for (const step of steps) {
    if (farEndClosed) break;
    if (step.kind === "pause") {
      dueMs += step.ms / speed;
      const remaining = startedAt + dueMs - performance.now();
      if (remaining > 0) await sleep(remaining, undefined, options.signal ? { signal: options.signal } : undefined).catch(() => undefined);
      continue;
    }
    const event = step.frame.event;
    // Hanging up early (Ctrl-C) still ends the stream the way Twilio does: with a stop frame.
    if (options.signal?.aborted && event === "media") continue;
    if (ws.readyState !== WebSocket.OPEN) break;
    ws.send(JSON.stringify(step.frame));
    if (event === "media") mediaFrames++;
    if (event === "start") logger.info("→ start");
    if (event === "stop") {
      completed = true;
      logger.info({ mediaFrames }, "→ stop");
    }
  }
  // The bridge closes the socket once the call's last results are delivered; a stuck far end is dropped.
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<{ code: number; reason: string }>((resolve) => {
    timer = setTimeout(() => {
      ws.terminate();
      resolve({ code: 1006, reason: "no close from the far end" });
    }, options.timeoutMs ?? 10_000);
  });
  const end = await Promise.race([closed, timeout]);
  clearTimeout(timer);
  return { mediaFrames, completed: completed && !options.signal?.aborted, closeCode: end.code, closeReason: end.reason };
}
