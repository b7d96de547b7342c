// Twilio Media Streams frames (the JSON text messages Twilio sends over a stream's WebSocket).
// Objects are loose: Twilio adds fields over time and a recording must still parse.
import { z } from "zod";
import { callSid } from "../calls/call-sid.js";

export const MediaTrack = z.enum(["inbound", "outbound"]);
export type MediaTrack = z.infer<typeof MediaTrack>;

export const ConnectedFrame = z.looseObject({
  event: z.literal("connected"),
  protocol: z.string(),
  version: z.string(),
});

export const StartFrame = z.looseObject({
  event: z.literal("start"),
  sequenceNumber: z.string(),
  streamSid: z.string().min(1),
  start: z.looseObject({
    accountSid: z.string().min(1),
    streamSid: z.string().min(1),
    callSid,
    tracks: z.array(MediaTrack).min(1),
    mediaFormat: z.looseObject({
      encoding: z.literal("audio/x-mulaw"),
      sampleRate: z.literal(8000),
      channels: z.literal(1),
    }),
    customParameters: z.record(z.string(), z.string()).optional(),
  }),
});

export const MediaFrame = z.looseObject({
  event: z.literal("media"),
  sequenceNumber: z.string(),
  streamSid: z.string().min(1),
  media: z.looseObject({
    track: MediaTrack,
    chunk: z.string(),
    timestamp: z.string(),
    payload: z.base64(),
  }),
});

export const StopFrame = z.looseObject({
  event: z.literal("stop"),
  sequenceNumber: z.string(),
  streamSid: z.string().min(1),
  stop: z.looseObject({ accountSid: z.string(), callSid: z.string() }),
});

export const MarkFrame = z.looseObject({
  event: z.literal("mark"),
  sequenceNumber: z.string(),
  streamSid: z.string().min(1),
  mark: z.looseObject({ name: z.string() }),
});

export const DtmfFrame = z.looseObject({
  event: z.literal("dtmf"),
  sequenceNumber: z.string(),
  streamSid: z.string().min(1),
  dtmf: z.looseObject({ track: z.string(), digit: z.string().min(1) }),
});

export const MediaStreamFrame = z.discriminatedUnion("event", [ConnectedFrame, StartFrame, MediaFrame, StopFrame, MarkFrame, DtmfFrame]);

export type ConnectedFrame = z.infer<typeof ConnectedFrame>;
export type StartFrame = z.infer<typeof StartFrame>;
export type MediaFrame = z.infer<typeof MediaFrame>;
export type StopFrame = z.infer<typeof StopFrame>;
export type MarkFrame = z.infer<typeof MarkFrame>;
export type DtmfFrame = z.infer<typeof DtmfFrame>;
export type MediaStreamFrame = z.infer<typeof MediaStreamFrame>;

/** Twilio sends 20 ms of 8 kHz µ-law per media frame. */
export const FRAME_MS = 20;
export const SAMPLE_RATE = 8000;
export const BYTES_PER_FRAME = (SAMPLE_RATE * FRAME_MS) / 1000;
