// Recorded media streams (the original demo's YAML step format) as the simulator and the fake
// Twilio API read them: a small recording written here is parsed field by field, ERB lookups are
// filled from the environment and nothing else is evaluated, and a broken recording is refused
// with the step and the field that are wrong.
import { describe, expect, it } from "vitest";
import { parseRecording, RecordingError, substituteErb, trackAudio } from "../../../../channels/media-stream/recording.js";

const CALL = `CA${"b".repeat(32)}`;
const STREAM = `MZ${"c".repeat(32)}`;
const IN_1 = Buffer.from([1, 2, 3]).toString("base64");
const OUT_1 = Buffer.from([9]).toString("base64");
const IN_2 = Buffer.from([4, 5]).toString("base64");
const media = (track: string, chunk: number, payload: string) =>
  `{"event":"media","sequenceNumber":"${chunk + 1}","streamSid":"${STREAM}","media":{"track":"${track}","chunk":"${chunk}","timestamp":"${chunk * 20}","payload":"${payload}"}}`;

const RECORDING = `
- send: {data: {event: connected, protocol: Call, version: 1.0.0}}
- sleep: {time: 0.5}
- send:
    data:
      event: start
      sequenceNumber: "1"
      streamSid: ${STREAM}
      start:
        accountSid: <%= ENV.fetch("ACCOUNT_SID", "ACdefault") %>
        streamSid: ${STREAM}
        callSid: ${CALL}
        tracks: [inbound, outbound]
        mediaFormat: {encoding: audio/x-mulaw, sampleRate: 8000, channels: 1}
- send: {data: ${media("inbound", 1, IN_1)}}
- send: {data: ${media("outbound", 1, OUT_1)}}
- sleep: {time: 0.25}
- send: {data: ${media("inbound", 2, IN_2)}}
- send: {data: {event: mark, sequenceNumber: "5", streamSid: ${STREAM}, mark: {name: greeting}}}
- sleep: {time: 0}
- send: {data: {event: stop, sequenceNumber: "6", streamSid: ${STREAM}, stop: {accountSid: ACdefault, callSid: ${CALL}}}}
`;

/** The message of the RecordingError `parse` throws (fails the test if it throws anything else). */
function refusal(parse: () => unknown): string {
  try {
    parse();
  } catch (error) {
    expect(error).toBeInstanceOf(RecordingError);
    expect((error as Error).name).toBe("RecordingError");
    return (error as Error).message;
  }
  throw new Error("expected a RecordingError");
}

describe("a recorded media stream", () => {
  it("is parsed step by step: its call, account and stream, its media per track and its length", () => {
    const recording = parseRecording(RECORDING, { ACCOUNT_SID: "ACconfigured" });
    expect(recording.steps.map((step) => (step.kind === "send" ? step.frame.event : step.seconds))).toEqual([
      "connected",
      0.5,
      "start",
      "media",
      "media",
      0.25,
      "media",
      "mark",
      0,
      "stop",
    ]);
    expect(recording.callSid).toBe(CALL);
    expect(recording.accountSid).toBe("ACconfigured");
    expect(recording.streamSid).toBe(STREAM);
    expect(recording.start).toEqual({
      accountSid: "ACconfigured",
      streamSid: STREAM,
      callSid: CALL,
      tracks: ["inbound", "outbound"],
      mediaFormat: { encoding: "audio/x-mulaw", sampleRate: 8000, channels: 1 },
    });
    expect(recording.media.inbound.map((frame) => frame.media.chunk)).toEqual(["1", "2"]);
    expect(recording.media.outbound.map((frame) => frame.media.payload)).toEqual([OUT_1]);
    expect(recording.durationSeconds).toBe(0.75);
    expect([...trackAudio(recording, "inbound")]).toEqual([1, 2, 3, 4, 5]);
    expect([...trackAudio(recording, "outbound")]).toEqual([9]);
  });

  it("takes the account from the ERB default when the environment has none", () => {
    expect(parseRecording(RECORDING).accountSid).toBe("ACdefault");
  });
});

describe("ERB in a recording", () => {
  it("reads ENV with or without spaces, across lines, and several tags on one line", () => {
    expect(substituteErb('<%=ENV["A_1"]%>', { A_1: "x" })).toBe("x");
    expect(substituteErb('<%=  ENV.fetch(  "B" ,  "dflt"  )  %>', {})).toBe("dflt");
    expect(substituteErb('<%=\n  ENV[ "C" ]\n%>', { C: "multi" })).toBe("multi");
    expect(substituteErb('a: <%= ENV["A"] %>, b: <%= ENV.fetch("B", "2") %>.', { A: "1" })).toBe("a: 1, b: 2.");
    // An empty default is a value, not a missing one.
    expect(substituteErb('<%= ENV.fetch("EMPTY", "") %>', {})).toBe("");
    // The environment wins over the default.
    expect(substituteErb('<%= ENV.fetch("B", "2") %>', { B: "3" })).toBe("3");
    expect(substituteErb("no tags here", {})).toBe("no tags here");
    // Not a whole tag: left as it is.
    expect(substituteErb('x <%= ENV["A"] %', { A: "v" })).toBe('x <%= ENV["A"] %');
  });

  it("refuses any other Ruby, naming the tag and what is understood", () => {
    for (const tag of [
      "<% system('id') %>",
      "<%= `id` %>",
      '<%= ENV["A"].upcase %>',
      '<%= ENV.fetch("A", "1").to_i %>',
      "<%= ENV['A'] %>",
      '<%= ENV["1A"] %>',
      '<%= ENV.fetch("A", "1", "2") %>',
      // A lookup hidden behind other Ruby in the same tag.
      '<% x <%= ENV["A"] %>',
    ]) {
      expect(refusal(() => substituteErb(tag, { A: "v" }))).toBe(
        `unsupported ERB tag in recording: ${tag} (only ENV.fetch("NAME", "default") and ENV["NAME"] are understood)`,
      );
    }
  });

  it("refuses a lookup of a variable that is not set and has no default", () => {
    const tag = '<%= ENV.fetch("NOPE") %>';
    expect(refusal(() => substituteErb(tag, { NOPE: undefined }))).toBe(
      `recording needs NOPE, which is not set and has no default in ${tag}`,
    );
    expect(refusal(() => substituteErb('<%= ENV["NOPE"] %>', {}))).toBe(
      'recording needs NOPE, which is not set and has no default in <%= ENV["NOPE"] %>',
    );
  });
});

describe("a broken recording", () => {
  it("is refused as a whole when it is not YAML, not a list, or an empty list", () => {
    expect(refusal(() => parseRecording("- send: ["))).toMatch(/^recording is not valid YAML: /);
    // An ERB error is reported as such, not as a YAML error.
    expect(refusal(() => parseRecording('- <%= ENV["NOPE"] %>'))).toMatch(/^recording needs NOPE/);
    expect(refusal(() => parseRecording("just text"))).toMatch(/^invalid recording: expected a list of send\/sleep steps \(/);
    expect(refusal(() => parseRecording("[]"))).toBe(
      "invalid recording: expected a list of send/sleep steps (a recording needs at least one step)",
    );
  });

  it("names the step, its event and at most three fields that are wrong", () => {
    const badMedia =
      '- send: {data: {event: media, sequenceNumber: 1, streamSid: "", media: {track: x, chunk: 1, timestamp: 2, payload: "!"}}}';
    expect(refusal(() => parseRecording(badMedia))).toBe(
      "invalid recording: step 1 (media): at send.data.sequenceNumber: Invalid input: expected string, received number; " +
        "at send.data.streamSid: Too small: expected string to have >=1 characters; " +
        'at send.data.media.track: Invalid option: expected one of "inbound"|"outbound"',
    );
    // A frame whose event is not a string: the step is named without it.
    expect(refusal(() => parseRecording("- sleep: {time: 1}\n- send: {data: {event: 5}}"))).toMatch(
      /^invalid recording: step 2: at send\.data\.event: /,
    );
    // A step that is not an object has no field to point at.
    expect(refusal(() => parseRecording("- 5"))).toBe("invalid recording: step 1: Invalid input: expected object, received number");
    expect(refusal(() => parseRecording("- null"))).toBe("invalid recording: step 1: Invalid input: expected object, received null");
    expect(refusal(() => parseRecording("- send: {data: null}"))).toBe(
      "invalid recording: step 1: at send.data: Invalid input: expected object, received null",
    );
  });

  it("refuses steps with unknown keys or a sleep that is not a finite, non-negative time", () => {
    expect(refusal(() => parseRecording("- {sleep: {time: 1}, send: {data: 1}}"))).toBe(
      'invalid recording: step 1 (sleep): Unrecognized key: "send"',
    );
    expect(refusal(() => parseRecording("- {send: {data: {event: connected, protocol: Call, version: '1'}}, wait: 1}"))).toBe(
      'invalid recording: step 1: Unrecognized key: "wait"',
    );
    expect(refusal(() => parseRecording("- sleep: {time: 1, unit: s}"))).toBe(
      'invalid recording: step 1 (sleep): at sleep: Unrecognized key: "unit"',
    );
    expect(refusal(() => parseRecording("- sleep: {time: -0.5}"))).toMatch(
      /^invalid recording: step 1 \(sleep\): at sleep\.time: Too small/,
    );
    expect(refusal(() => parseRecording("- sleep: {time: .inf}"))).toMatch(/^invalid recording: step 1 \(sleep\): at sleep\.time: /);
  });

  it("needs exactly one start frame", () => {
    expect(refusal(() => parseRecording("- sleep: {time: 0.1}"))).toBe("a recording needs exactly one start frame, found 0");
    const start = RECORDING.split("\n- ").find((step) => step.includes("event: start"))!;
    expect(refusal(() => parseRecording(`${RECORDING}\n- ${start}`))).toBe("a recording needs exactly one start frame, found 2");
  });
});
