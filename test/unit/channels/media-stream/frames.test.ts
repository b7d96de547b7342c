// Twilio's media stream frames as the bridge parses them at its edge: what a real Twilio stream
// sends is accepted (with fields Twilio may add later), anything else is refused field by field.
import { describe, expect, it } from "vitest";
import { BYTES_PER_FRAME, FRAME_MS, MediaStreamFrame, SAMPLE_RATE } from "../../../../channels/media-stream/frames.js";

const CALL = `CA${"d".repeat(32)}`;
const STREAM = `MZ${"e".repeat(32)}`;
const start = {
  event: "start",
  sequenceNumber: "1",
  streamSid: STREAM,
  start: {
    accountSid: `AC${"a".repeat(32)}`,
    streamSid: STREAM,
    callSid: CALL,
    tracks: ["inbound", "outbound"],
    mediaFormat: { encoding: "audio/x-mulaw", sampleRate: 8000, channels: 1 },
    customParameters: { streamToken: "v1.x" },
  },
};
const media = {
  event: "media",
  sequenceNumber: "2",
  streamSid: STREAM,
  media: { track: "inbound", chunk: "1", timestamp: "0", payload: Buffer.alloc(160, 0xff).toString("base64") },
};
const stop = { event: "stop", sequenceNumber: "3", streamSid: STREAM, stop: { accountSid: `AC${"a".repeat(32)}`, callSid: CALL } };
const mark = { event: "mark", sequenceNumber: "4", streamSid: STREAM, mark: { name: "greeting" } };
const dtmf = { event: "dtmf", sequenceNumber: "5", streamSid: STREAM, dtmf: { track: "inbound_track", digit: "7" } };
const connected = { event: "connected", protocol: "Call", version: "1.0.0" };

/** Where the first issue is (its path), or "ok". */
function verdict(frame: unknown): string {
  const parsed = MediaStreamFrame.safeParse(frame);
  return parsed.success ? "ok" : `${parsed.error.issues[0]?.path.join(".")}`;
}

describe("Twilio's media stream frames", () => {
  it("accepts every event Twilio sends, keeping fields it may add", () => {
    for (const frame of [connected, start, media, stop, mark, dtmf]) expect(verdict(frame)).toBe("ok");
    expect(MediaStreamFrame.parse({ ...media, extra: 1 })).toMatchObject({ extra: 1 });
    const { customParameters: _, ...withoutParameters } = start.start;
    expect(verdict({ ...start, start: withoutParameters })).toBe("ok");
    expect(verdict({ ...media, media: { ...media.media, track: "outbound" } })).toBe("ok");
  });

  it("refuses an unknown event and a connected frame without its protocol or version", () => {
    expect(verdict({ ...media, event: "clear" })).toBe("event");
    expect(verdict({ event: "connected", version: "1.0.0" })).toBe("protocol");
    expect(verdict({ event: "connected", protocol: "Call" })).toBe("version");
  });

  it.each([
    ["an empty streamSid", { streamSid: "" }, "streamSid"],
    ["a numeric sequenceNumber", { sequenceNumber: 1 }, "sequenceNumber"],
  ])("refuses a frame with %s, whatever its event", (_label, change, path) => {
    for (const frame of [start, media, stop, mark, dtmf]) expect(verdict({ ...frame, ...change })).toBe(path);
  });

  it.each([
    ["an empty accountSid", { accountSid: "" }, "start.accountSid"],
    ["an empty start.streamSid", { streamSid: "" }, "start.streamSid"],
    ["a callSid that is not a call SID", { callSid: "CA123" }, "start.callSid"],
    ["no tracks", { tracks: [] }, "start.tracks"],
    ["an unknown track", { tracks: ["both"] }, "start.tracks.0"],
    ["another encoding", { mediaFormat: { encoding: "audio/l16", sampleRate: 8000, channels: 1 } }, "start.mediaFormat.encoding"],
    ["another rate", { mediaFormat: { encoding: "audio/x-mulaw", sampleRate: 16000, channels: 1 } }, "start.mediaFormat.sampleRate"],
    ["two channels", { mediaFormat: { encoding: "audio/x-mulaw", sampleRate: 8000, channels: 2 } }, "start.mediaFormat.channels"],
    ["a parameter that is not a string", { customParameters: { streamToken: 1 } }, "start.customParameters.streamToken"],
  ])("refuses a start with %s", (_label, change, path) => {
    expect(verdict({ ...start, start: { ...start.start, ...change } })).toBe(path);
  });

  it.each([
    ["an unknown track", { track: "both" }, "media.track"],
    ["a payload that is not base64", { payload: "not base64!" }, "media.payload"],
    ["no chunk", { chunk: undefined }, "media.chunk"],
    ["no timestamp", { timestamp: undefined }, "media.timestamp"],
  ])("refuses media with %s", (_label, change, path) => {
    expect(verdict({ ...media, media: { ...media.media, ...change } })).toBe(path);
  });

  it("refuses a stop without its call, a mark without its name and a dtmf without its digit", () => {
    expect(verdict({ ...stop, stop: { accountSid: stop.stop.accountSid } })).toBe("stop.callSid");
    expect(verdict({ ...stop, stop: { callSid: CALL } })).toBe("stop.accountSid");
    expect(verdict({ ...mark, mark: {} })).toBe("mark.name");
    expect(verdict({ ...dtmf, dtmf: { track: "inbound_track", digit: "" } })).toBe("dtmf.digit");
    expect(verdict({ ...dtmf, dtmf: { digit: "1" } })).toBe("dtmf.track");
  });

  it("names Twilio's framing: 20 ms of 8 kHz µ-law, 160 bytes a frame", () => {
    expect([FRAME_MS, SAMPLE_RATE, BYTES_PER_FRAME]).toEqual([20, 8000, 160]);
  });
});
