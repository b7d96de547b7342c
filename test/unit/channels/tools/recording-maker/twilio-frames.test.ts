// The recording maker's output, frame by frame: exactly what Twilio sends, and a recording the
// replay reads back unchanged.
import { describe, expect, it } from "vitest";
import { parseRecording, trackAudio } from "../../../../../channels/media-stream/recording.js";
import { recordingYaml } from "../../../../../channels/tools/recording-maker/recording-yaml.js";
import {
  ACCOUNT_SID_ERB,
  splitFrames,
  twilioFrames,
  type TwilioMedia,
} from "../../../../../channels/tools/recording-maker/twilio-frames.js";

const CALL = "CA0123456789abcdef0123456789abcdef";
const STREAM = "MZ0123456789abcdef0123456789abcdef";
const bytes = (n: number, start = 0) => Uint8Array.from({ length: n }, (_, i) => (start + i) % 256);

describe("Twilio media-stream frames", () => {
  it("have Twilio's exact JSON shape, field order included", () => {
    const frames = twilioFrames({
      callSid: CALL,
      streamSid: STREAM,
      accountSid: "ACabc",
      inbound: bytes(320),
      customParameters: { token: "t" },
    });
    expect(frames.map((f) => JSON.stringify(f))).toEqual([
      '{"event":"connected","protocol":"Call","version":"1.0.0"}',
      `{"event":"start","sequenceNumber":"1","start":{"accountSid":"ACabc","streamSid":"${STREAM}","callSid":"${CALL}","tracks":["inbound"],"customParameters":{"token":"t"},"mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":8000,"channels":1}},"streamSid":"${STREAM}"}`,
      `{"event":"media","sequenceNumber":"2","media":{"track":"inbound","chunk":"1","timestamp":"0","payload":"${Buffer.from(bytes(160)).toString("base64")}"},"streamSid":"${STREAM}"}`,
      `{"event":"media","sequenceNumber":"3","media":{"track":"inbound","chunk":"2","timestamp":"20","payload":"${Buffer.from(bytes(160, 160)).toString("base64")}"},"streamSid":"${STREAM}"}`,
      `{"event":"stop","sequenceNumber":"4","stop":{"accountSid":"ACabc","callSid":"${CALL}"},"streamSid":"${STREAM}"}`,
    ]);
  });

  it("cut audio into 160-byte (20 ms) payloads, padding the last one with µ-law silence", () => {
    const frames = splitFrames(bytes(400));
    expect(frames.map((f) => f.length)).toEqual([160, 160, 160]);
    expect([...frames[2]!.subarray(0, 80)]).toEqual([...bytes(80, 320)]);
    expect(frames[2]!.subarray(80).every((b) => b === 0xff)).toBe(true);
  });

  it("interleave both tracks per 20 ms: one sequence across tracks, chunks and timestamps per track", () => {
    const frames = twilioFrames({ callSid: CALL, streamSid: STREAM, accountSid: "ACabc", inbound: bytes(480), outbound: bytes(160) });
    const media = frames.filter((f): f is TwilioMedia => f.event === "media").map((f) => f.media);
    expect(media.map((m) => [m.track, m.chunk, m.timestamp])).toEqual([
      ["inbound", "1", "0"],
      ["outbound", "1", "0"],
      ["inbound", "2", "20"],
      ["inbound", "3", "40"],
    ]);
    expect(frames.map((f) => ("sequenceNumber" in f ? f.sequenceNumber : "-"))).toEqual(["-", "1", "2", "3", "4", "5", "6"]);
    expect(frames[1]).toMatchObject({ start: { tracks: ["inbound", "outbound"] } });
  });
});

describe("recordings written as YAML steps", () => {
  const inbound = bytes(160 * 5);
  const frames = twilioFrames({ callSid: CALL, streamSid: STREAM, accountSid: ACCOUNT_SID_ERB, inbound, outbound: bytes(160 * 2, 7) });
  const yaml = recordingYaml(frames, ["made for a test"]);

  it("replay as the same frames and audio, with the account filled in and 20 ms per chunk", () => {
    const recording = parseRecording(yaml, { ACCOUNT_SID: "ACconfigured" });
    expect(recording.accountSid).toBe("ACconfigured");
    expect(recording.callSid).toBe(CALL);
    expect(recording.streamSid).toBe(STREAM);
    expect([...trackAudio(recording, "inbound")]).toEqual([...inbound]);
    expect(trackAudio(recording, "outbound")).toHaveLength(320);
    // (the parsed frames come back in the schema's key order; the YAML keeps Twilio's, checked above)
    const sent = recording.steps.flatMap((s) => (s.kind === "send" ? [s.frame] : []));
    const expected = twilioFrames({ callSid: CALL, streamSid: STREAM, accountSid: "ACconfigured", inbound, outbound: bytes(160 * 2, 7) });
    expect(sent).toEqual(expected);
    // after connected, after start, then one sleep per chunk (both tracks' frames of a chunk go together)
    expect(recording.durationSeconds).toBeCloseTo((2 + 5) * 0.02, 6);
  });

  it("keep Twilio's field order, the account as an ERB lookup, and begin with the comment", () => {
    expect(yaml.startsWith("# made for a test\n---\n")).toBe(true);
    const [, , inbound2, outbound2, inbound3] = frames
      .filter((f) => f.event === "media")
      .map((f) => `- send: {data: ${JSON.stringify(f)}}`);
    expect(yaml).toContain(`${inbound2}\n${outbound2}\n- sleep: {time: 0.02}\n${inbound3}\n- sleep: {time: 0.02}\n`);
    expect(yaml.indexOf("event: start")).toBeLessThan(yaml.indexOf("sequenceNumber"));
    expect(yaml).toContain(`accountSid: ${ACCOUNT_SID_ERB}`);
    expect(parseRecording(yaml).accountSid).toBe("AC20230312");
  });
});
