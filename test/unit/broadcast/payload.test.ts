// The exact bytes anycable-go receives: publication, batch array, meta, remote command.
import { describe, expect, it } from "vitest";
import { describeSubject, encodeBatch, encodeCommand, encodePublication } from "../../../src/broadcast/payload.js";

describe("encodePublication", () => {
  it("keeps a string data as is", () => {
    expect(encodePublication("chat_1", "hello").json).toBe('{"stream":"chat_1","data":"hello"}');
  });

  it("JSON-encodes object data into a string, as anycable-go requires", () => {
    const { json } = encodePublication("chat_1", { text: "hi", n: 1 });
    expect(json).toBe('{"stream":"chat_1","data":"{\\"text\\":\\"hi\\",\\"n\\":1}"}');
    expect(JSON.parse(json)).toEqual({ stream: "chat_1", data: '{"text":"hi","n":1}' });
  });

  it("adds meta only when given", () => {
    const { json } = encodePublication("s", "x", { exclude_socket: "sid-1", transient: true, broadcast_type: "update" });
    expect(json).toBe('{"stream":"s","data":"x","meta":{"exclude_socket":"sid-1","transient":true,"broadcast_type":"update"}}');
  });

  it("names the stream, not the data, for logs", () => {
    expect(encodePublication("s", "secret").about).toEqual({ kind: "publication", stream: "s" });
  });

  it("refuses an empty stream and data JSON cannot express", () => {
    expect(() => encodePublication("", "x")).toThrow(/non-empty string/);
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(() => encodePublication("s", circular)).toThrow(TypeError);
    expect(() => encodePublication("s", () => 1)).toThrow(/JSON-serialisable/);
  });
});

describe("encodeBatch", () => {
  it("sends one JSON array of publications", () => {
    const { json, about } = encodeBatch([
      { stream: "a", data: "1" },
      { stream: "b", data: '{"x":2}', meta: { transient: true } },
      { stream: "a", data: "3" },
    ]);
    expect(json).toBe(
      '[{"stream":"a","data":"1"},{"stream":"b","data":"{\\"x\\":2}","meta":{"transient":true}},{"stream":"a","data":"3"}]',
    );
    expect(about).toEqual({ kind: "batch", streams: ["a", "b"], size: 3 });
  });

  it("refuses non-string data in a publication (the type says string; JS callers may not know)", () => {
    expect(() => encodeBatch([{ stream: "a", data: { x: 1 } as unknown as string }])).toThrow(/must be a string/);
    expect(() => encodeBatch([])).toThrow(new RangeError("a broadcast batch needs at least one publication"));
  });
});

describe("encodeCommand", () => {
  it("encodes disconnect exactly as anycable-go's RemoteDisconnectMessage", () => {
    const { json } = encodeCommand({ command: "disconnect", payload: { identifier: '{"user":"ann"}', reconnect: false } });
    expect(json).toBe('{"command":"disconnect","payload":{"identifier":"{\\"user\\":\\"ann\\"}","reconnect":false}}');
  });

  it("refuses what anycable-go would ignore", () => {
    expect(() => encodeCommand({ command: "kick" as "disconnect", payload: { identifier: "x", reconnect: false } })).toThrow(
      /unknown remote command/,
    );
    expect(() => encodeCommand({ command: "disconnect", payload: { identifier: "", reconnect: false } })).toThrow(/identifiers/);
  });
});

describe("payload checks for callers the types do not reach (plain JavaScript)", () => {
  it("refuses a stream that is not a string", () => {
    expect(() => encodePublication(42 as unknown as string, "x")).toThrow(/stream must be a non-empty string/);
    expect(() => encodeBatch([{ stream: undefined as unknown as string, data: "x" }])).toThrow(/stream must be a non-empty string/);
  });

  it("refuses a disconnect command without a string identifier or a boolean reconnect", () => {
    expect(() => encodeCommand({ command: "disconnect", payload: { identifier: 7 as unknown as string, reconnect: false } })).toThrow(
      "disconnect command needs the connection identifiers string",
    );
    expect(() => encodeCommand({ command: "disconnect", payload: { identifier: "ids", reconnect: "yes" as unknown as boolean } })).toThrow(
      "disconnect command needs reconnect: true or false",
    );
    expect(encodeCommand({ command: "disconnect", payload: { identifier: "ids", reconnect: true } }).about).toEqual({
      kind: "command",
      command: "disconnect",
      identifier: "ids",
    });
  });
});

describe("describeSubject", () => {
  it("names a publication's stream, a batch's first five streams and size, a command and its identifiers", () => {
    expect(describeSubject({ kind: "publication", stream: "s" })).toEqual({ stream: "s" });
    const streams = ["a", "b", "c", "d", "e", "f"];
    expect(describeSubject({ kind: "batch", streams, size: 7 })).toEqual({ streams: ["a", "b", "c", "d", "e"], batchSize: 7 });
    expect(describeSubject({ kind: "command", command: "disconnect", identifier: "ids" })).toEqual({
      command: "disconnect",
      identifier: "ids",
    });
  });

  it("lists a one-publication batch's stream once, and a batch's repeated streams once each", () => {
    expect(encodeBatch([{ stream: "a", data: "1" }]).about).toEqual({ kind: "batch", streams: ["a"], size: 1 });
    expect(
      encodeBatch([
        { stream: "a", data: "1" },
        { stream: "a", data: "2" },
      ]).about,
    ).toEqual({ kind: "batch", streams: ["a"], size: 2 });
  });
});
