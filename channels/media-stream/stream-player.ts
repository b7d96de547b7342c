// Playing a recorded call to a media-stream endpoint exactly as Twilio would: the upgrade signed
// with X-Twilio-Signature over the stream URL Twilio was given, then connected, start (with the
// stream parameters in customParameters), the recording's media frames at its own pace with
// fresh sequence numbers, and stop. The simulator and the fake Twilio REST API both use it.
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import twilio from "twilio";
import WebSocket from "ws";
import type { Logger } from "../../src/index.js";
import type { Recording } from "./recording.js";

export const TWILIO_SIGNATURE_HEADER = "x-twilio-signature";

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

export async function playMediaStream(options: PlayStreamOptions): Promise<PlayOutcome> {
  const { recording, logger } = options;
  const speed = options.speed ?? 1;
  const streamSid = newStreamSid();
  const ws = await open(options);
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once("close", (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  let farEndClosed: { code: number; reason: string } | undefined;
  void closed.then((c) => (farEndClosed = c));
  ws.on("error", (error) => logger.warn({ err: error.message }, "media stream socket error"));

  let sequence = 0;
  const send = (frame: Record<string, unknown>): boolean => {
    if (ws.readyState !== WebSocket.OPEN) return false;
    ws.send(JSON.stringify(frame));
    return true;
  };
  const numbered = (event: string, body: Record<string, unknown>) => ({ event, sequenceNumber: String(++sequence), streamSid, ...body });

  send({ event: "connected", protocol: "Call", version: "1.0.0" });
  send(
    numbered("start", {
      start: {
        accountSid: options.accountSid,
        streamSid,
        callSid: options.callSid,
        tracks: recording.start.tracks,
        mediaFormat: { encoding: "audio/x-mulaw", sampleRate: 8000, channels: 1 },
        customParameters: options.customParameters,
      },
    }),
  );
  logger.info({ callSid: options.callSid, streamSid }, "→ start");

  let mediaFrames = 0;
  // Pauses are scheduled against the stream's start, so timer overshoot does not pile up.
  const startedAt = performance.now();
  let dueMs = 0;
  for (const step of recording.steps) {
    if (farEndClosed || options.signal?.aborted) break;
    if (step.kind === "sleep") {
      dueMs += (step.seconds * 1000) / speed;
      const remaining = startedAt + dueMs - performance.now();
      if (remaining > 0) await sleep(remaining, undefined, options.signal ? { signal: options.signal } : undefined).catch(() => undefined);
      continue;
    }
    if (step.frame.event !== "media") continue; // connected/start/stop/marks are this player's own
    const { track, chunk, timestamp, payload } = step.frame.media;
    if (send(numbered("media", { media: { track, chunk, timestamp, payload } }))) mediaFrames++;
  }
  const completed = !farEndClosed;
  if (completed) {
    send(numbered("stop", { stop: { accountSid: options.accountSid, callSid: options.callSid } }));
    logger.info({ mediaFrames }, "→ stop");
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
  return { mediaFrames, completed, closeCode: end.code, closeReason: end.reason };
}
