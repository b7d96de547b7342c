// A hand-driven Twilio side of a media stream, for sending exactly the frames a test wants
// (hostile ones included) and seeing how the far end closes.
import WebSocket from "ws";
import { streamSignature } from "../../channels/media-stream/stream-player.js";
import { TWILIO_SIGNATURE_HEADER } from "../../channels/twilio/signature-header.js";

export interface RawTwilioSocket {
  readonly ws: WebSocket;
  send(frame: unknown): void;
  /** The close the far end sent (code 1006 when the socket just dropped). */
  readonly closed: Promise<{ code: number; reason: string }>;
}

export interface RawTwilioSocketOptions {
  /** Signature over this URL with this token; `signature: null` sends none, a string sends it verbatim. */
  streamUrl: string;
  authToken: string;
  signature?: string | null;
}

/** Opens a signed socket; rejects with the HTTP status when the upgrade is refused. */
export function openRawTwilioSocket(url: string, options: RawTwilioSocketOptions): Promise<RawTwilioSocket> {
  const signature = options.signature === undefined ? streamSignature(options.authToken, options.streamUrl) : options.signature;
  const ws = new WebSocket(url, { headers: signature === null ? {} : { [TWILIO_SIGNATURE_HEADER]: signature } });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once("close", (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  return new Promise((resolve, reject) => {
    ws.once("unexpected-response", (_request, response) => {
      ws.terminate();
      reject(new Error(`HTTP ${response.statusCode}`));
    });
    ws.once("error", reject);
    ws.once("open", () =>
      resolve({
        ws,
        closed,
        send: (frame) => ws.send(typeof frame === "string" || Buffer.isBuffer(frame) ? frame : JSON.stringify(frame)),
      }),
    );
  });
}

/** Twilio's frames, numbered in order, for one stream. */
export function twilioFrames(callSid: string, accountSid: string, customParameters: Record<string, string>) {
  const streamSid = `MZ${callSid.slice(2)}`;
  let sequence = 0;
  const next = () => String(++sequence);
  return {
    streamSid,
    connected: () => ({ event: "connected", protocol: "Call", version: "1.0.0" }),
    start: () => ({
      event: "start",
      sequenceNumber: next(),
      streamSid,
      start: {
        accountSid,
        streamSid,
        callSid,
        tracks: ["inbound"],
        mediaFormat: { encoding: "audio/x-mulaw", sampleRate: 8000, channels: 1 },
        customParameters,
      },
    }),
    media: (payload = Buffer.alloc(160, 0xff).toString("base64"), chunk = sequence) => ({
      event: "media",
      sequenceNumber: next(),
      streamSid,
      media: { track: "inbound", chunk: String(chunk), timestamp: String(chunk * 20), payload },
    }),
    stop: () => ({ event: "stop", sequenceNumber: next(), streamSid, stop: { accountSid, callSid } }),
    /** Skips a sequence number, as a lost or reordered frame would show. */
    skip: () => void ++sequence,
  };
}
