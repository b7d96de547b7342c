import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { decodeMulaw, mulawToLinear, toPcm16le } from "../../../../channels/media-stream/mulaw.js";
import { parseRecording, RecordingError, substituteErb, trackAudio } from "../../../../channels/media-stream/recording.js";
import { recordingPath } from "../../../../channels/recordings/repository-recordings.js";

const helloWorld = readFileSync(recordingPath("hello-world"), "utf8");
const callBack = readFileSync(recordingPath("call-back"), "utf8");

describe("µ-law decoding (G.711)", () => {
  it("decodes the reference points", () => {
    expect(mulawToLinear(0xff)).toBe(0);
    expect(mulawToLinear(0x7f)).toBe(0);
    expect(mulawToLinear(0x00)).toBe(-32124);
    expect(mulawToLinear(0x80)).toBe(32124);
    expect(mulawToLinear(0xfe)).toBe(8);
    expect(mulawToLinear(0x7e)).toBe(-8);
    expect(mulawToLinear(0xf0)).toBe(120);
    expect(mulawToLinear(0xef)).toBe(132);
  });

  it("is odd-symmetric and monotonic within each half", () => {
    for (let b = 0; b < 128; b++) expect(mulawToLinear(b)).toBe(0 - mulawToLinear(b | 0x80));
    for (let b = 0x80; b < 0xff; b++) expect(mulawToLinear(b)).toBeGreaterThan(mulawToLinear(b + 1));
  });

  it("decodes buffers and lays them out as little-endian PCM", () => {
    const samples = decodeMulaw(Uint8Array.from([0xff, 0x00, 0x80]));
    expect([...samples]).toEqual([0, -32124, 32124]);
    expect([...toPcm16le(samples)]).toEqual([0x00, 0x00, 0x84, 0x82, 0x7c, 0x7d]);
  });
});

describe("ERB substitution", () => {
  it("fills ENV.fetch from the given variables, else from its default", () => {
    const tag = '<%= ENV.fetch("ACCOUNT_SID", "AC20230312") %>';
    expect(substituteErb(`a: ${tag}`, { ACCOUNT_SID: "ACtest" })).toBe("a: ACtest");
    expect(substituteErb(`a: ${tag}`, {})).toBe("a: AC20230312");
    expect(substituteErb('a: <%= ENV["X"] %>', { X: "y" })).toBe("a: y");
  });

  it("refuses anything but an ENV read, and a missing value without default", () => {
    expect(() => substituteErb("a: <%= `rm -rf /` %>", {})).toThrow(RecordingError);
    expect(() => substituteErb('a: <%= ENV.fetch("NOPE") %>', {})).toThrow(/needs NOPE/);
  });
});

describe("parsing the recorded media streams", () => {
  it("reads hello-world.yml: a short inbound-only call", () => {
    const recording = parseRecording(helloWorld, { ACCOUNT_SID: "AC0123456789abcdef0123456789abcdef" });
    expect(recording.callSid).toMatch(/^CA[0-9a-f]{32}$/);
    expect(recording.accountSid).toBe("AC0123456789abcdef0123456789abcdef");
    expect(recording.streamSid).toMatch(/^MZ[0-9a-f]{32}$/);
    expect(recording.start.tracks).toEqual(["inbound"]);
    expect(recording.start.customParameters).toEqual({});
    const frames = recording.media.inbound.length;
    expect(frames).toBeGreaterThan(100);
    expect(recording.media.outbound).toHaveLength(0);
    expect(trackAudio(recording, "inbound")).toHaveLength(frames * 160);
    const events = recording.steps.flatMap((s) => (s.kind === "send" ? [s.frame.event] : []));
    expect(events[0]).toBe("connected");
    expect(events[1]).toBe("start");
    expect(events.at(-1)).toBe("stop");
    // one 20 ms sleep per frame, plus one after each of connected and start
    expect(recording.durationSeconds).toBeCloseTo((frames + 2) * 0.02, 6);
  });

  it("reads call-back.yml: both tracks, the outbound one shorter", () => {
    const recording = parseRecording(callBack);
    expect(recording.accountSid).toBe("AC20230312");
    expect(recording.start.tracks).toEqual(["inbound", "outbound"]);
    expect(recording.media.outbound.length).toBeGreaterThan(50);
    expect(recording.media.inbound.length).toBeGreaterThan(recording.media.outbound.length);
    for (const frame of [...recording.media.inbound, ...recording.media.outbound]) {
      expect(Buffer.from(frame.media.payload, "base64")).toHaveLength(160);
    }
    expect(recording.durationSeconds).toBeCloseTo((recording.media.inbound.length + 2) * 0.02, 6);
  });

  it("explains what is wrong with a broken recording", () => {
    expect(() => parseRecording("- send: [")).toThrow(/not valid YAML/);
    expect(() => parseRecording("- sleep: {time: 0.1}\n")).toThrow(/exactly one start frame, found 0/);
    const badMedia = helloWorld.replace('"track":"inbound"', '"track":"sideways"');
    expect(() => parseRecording(badMedia)).toThrow(/step 5 \(media\): at send\.data\.media\.track: Invalid option/);
    const badSid = helloWorld.replace(/callSid: CA[0-9a-f]{32}/, "callSid: CA123");
    expect(() => parseRecording(badSid)).toThrow(/call SID/);
    expect(() => parseRecording("- wait: 1\n")).toThrow(/step 1: /);
    expect(() => parseRecording("- sleep: {time: -1}\n")).toThrow(/step 1 \(sleep\): at sleep.time/);
    expect(() => parseRecording("just text")).toThrow(/expected a list of send\/sleep steps/);
    expect(() => parseRecording("- send: {data: {event: dance}}\n")).toThrow(/step 1 \(dance\): at send.data.event/);
  });
});
