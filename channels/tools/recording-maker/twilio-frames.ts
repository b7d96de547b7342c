// Twilio Media Streams frames for a call's audio, field for field and in the order Twilio
// writes them: `connected`, `start` (sequence 1), one `media` frame per 20 ms of 8 kHz µ-law
// per track (sequence numbers go on counting across tracks, chunks count per track, timestamps
// are milliseconds since the stream started), and `stop`.
import { DEV_ACCOUNT_SID } from "../../config/development-defaults.js";
import { BYTES_PER_FRAME, FRAME_MS, type MediaTrack } from "../../media-stream/frames.js";

/** What recordings put in `start.accountSid`: the account the replaying side is configured with. */
export const ACCOUNT_SID_ERB = `<%= ENV.fetch("ACCOUNT_SID", "${DEV_ACCOUNT_SID}") %>`;

export interface CallAudio {
  callSid: string;
  streamSid: string;
  accountSid: string;
  /** µ-law bytes per track; `outbound` is the robot's side of a both-tracks stream. */
  inbound: Uint8Array;
  outbound?: Uint8Array | undefined;
  customParameters?: Record<string, string>;
}

export interface TwilioConnected {
  event: "connected";
  protocol: "Call";
  version: "1.0.0";
}

export interface TwilioStart {
  event: "start";
  sequenceNumber: string;
  start: {
    accountSid: string;
    streamSid: string;
    callSid: string;
    tracks: MediaTrack[];
    customParameters: Record<string, string>;
    mediaFormat: { encoding: "audio/x-mulaw"; sampleRate: 8000; channels: 1 };
  };
  streamSid: string;
}

export interface TwilioMedia {
  event: "media";
  sequenceNumber: string;
  media: { track: MediaTrack; chunk: string; timestamp: string; payload: string };
  streamSid: string;
}

export interface TwilioStop {
  event: "stop";
  sequenceNumber: string;
  stop: { accountSid: string; callSid: string };
  streamSid: string;
}

export type TwilioFrame = TwilioConnected | TwilioStart | TwilioMedia | TwilioStop;

/** The 160-byte frames of a track; a short last frame is padded with µ-law silence (0xFF). */
export function splitFrames(audio: Uint8Array): Buffer[] {
  const frames: Buffer[] = [];
  for (let offset = 0; offset < audio.length; offset += BYTES_PER_FRAME) {
    const frame = Buffer.alloc(BYTES_PER_FRAME, 0xff);
    frame.set(audio.subarray(offset, offset + BYTES_PER_FRAME));
    frames.push(frame);
  }
  return frames;
}

/** Every frame of the call's stream, in sending order; media frames of both tracks interleave per 20 ms. */
export function twilioFrames(call: CallAudio): TwilioFrame[] {
  const { callSid, streamSid, accountSid } = call;
  const tracks: MediaTrack[] = call.outbound ? ["inbound", "outbound"] : ["inbound"];
  const audio: Record<MediaTrack, Buffer[]> = {
    inbound: splitFrames(call.inbound),
    outbound: call.outbound ? splitFrames(call.outbound) : [],
  };
  let sequence = 1;
  const frames: TwilioFrame[] = [
    { event: "connected", protocol: "Call", version: "1.0.0" },
    {
      event: "start",
      sequenceNumber: String(sequence),
      start: {
        accountSid,
        streamSid,
        callSid,
        tracks,
        customParameters: { ...call.customParameters },
        mediaFormat: { encoding: "audio/x-mulaw", sampleRate: 8000, channels: 1 },
      },
      streamSid,
    },
  ];
  const length = Math.max(audio.inbound.length, audio.outbound.length);
  for (let index = 0; index < length; index++) {
    for (const track of tracks) {
      const payload = audio[track][index];
      if (!payload) continue;
      frames.push({
        event: "media",
        sequenceNumber: String(++sequence),
        media: { track, chunk: String(index + 1), timestamp: String(index * FRAME_MS), payload: payload.toString("base64") },
        streamSid,
      });
    }
  }
  frames.push({ event: "stop", sequenceNumber: String(++sequence), stop: { accountSid, callSid }, streamSid });
  return frames;
}
