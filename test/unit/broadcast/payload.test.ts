// The exact bytes anycable-go receives: publication, batch array, meta, remote command.
import { describe, expect, it } from "vitest";
import { encodeBatch, encodeCommand, encodePublication } from "../../../src/broadcast/payload.js";

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
    expect(() => encodeBatch([])).toThrow(RangeError);
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
