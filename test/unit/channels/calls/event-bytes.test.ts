import { describe, expect, it } from "vitest";
import { callStartedEvent, statusEvent, transcriptEvent, type CallEvent } from "../../../../channels/calls/call-event.js";
import { eventJsonBytes } from "../../../../channels/calls/event-bytes.js";

const jsonBytes = (event: CallEvent) => Buffer.byteLength(JSON.stringify(event));

describe("eventJsonBytes", () => {
  const texts = [
    "",
    "Hi, I am calling about my order from last Tuesday, it has not arrived yet.",
    'She said "hello" \\ and left',
    "line one\nline two\ttab\r\u0001\u001f",
    "del \u007f and ~ and space",
    "café, naïve, Straße",
    "日本語の文字起こし",
    "emoji 📞 and a lone surrogate \ud800 and \udc00",
    "<img src=x onerror=alert(1)>\"'&",
    "\u2028\u2029",
  ];

  it("is the byte length of the event's JSON, for every kind of text", () => {
    for (const text of texts) {
      for (const event of [
        transcriptEvent("r-1", text, true, 1_700_000_000_123),
        transcriptEvent("r_2", text, false, 0),
        statusEvent("ringing", text, 5),
      ]) {
        expect(eventJsonBytes(event)).toBe(jsonBytes(event));
      }
    }
  });

  it("counts keys and times as JSON writes them", () => {
    for (const at of [0, 7, 1_700_000_000_000, Number.MAX_SAFE_INTEGER, 253_402_300_799_999]) {
      const event = callStartedEvent(at);
      expect(eventJsonBytes(event)).toBe(jsonBytes(event));
    }
  });

  it("leaves out what JSON.stringify leaves out, and writes non-finite numbers as null", () => {
    const odd = { kind: "status", key: "status_x", at: Number.NaN, text: "t", extra: undefined } as unknown as CallEvent;
    expect(eventJsonBytes(odd)).toBe(jsonBytes(odd));
  });
});
