// The JSON anycable-go posts (encoding/json of its protobuf structs) into the messages the handler takes.
import { describe, expect, it } from "vitest";
import { decodeRequest, encodeResponse, isHttpRpcMethod } from "../../../../src/rpc/http/json-messages.js";
import { Status } from "../../../../src/rpc/messages.js";

// Bodies as anycable-go 1.5.6 and 1.6.16 sent them (identical in both): snake_case names, and
// every zero value left out — no `data` on a subscribe, no `istate` before a channel has state.
const CAPTURED = {
  connect: '{"env":{"url":"http://127.0.0.1:18932/cable","headers":{"REMOTE_ADDR":"127.0.0.1","cookie":"user=ann"}}}',
  subscribe:
    '{"command":"subscribe","identifier":"{\\"channel\\":\\"chat\\",\\"room\\":\\"lobby\\"}","connection_identifiers":"{\\"user\\":\\"ann\\"}","env":{"url":"http://127.0.0.1:18932/cable","headers":{"REMOTE_ADDR":"127.0.0.1","cookie":"user=ann"},"cstate":{"connected_at":"t0"}}}',
  perform:
    '{"command":"message","identifier":"{\\"channel\\":\\"chat\\",\\"room\\":\\"lobby\\"}","connection_identifiers":"{\\"user\\":\\"ann\\"}","data":"{\\"action\\":\\"count\\"}","env":{"url":"http://127.0.0.1:18932/cable","headers":{"REMOTE_ADDR":"127.0.0.1","cookie":"user=ann"},"cstate":{"connected_at":"t0"},"istate":{"count":"0"}}}',
  disconnect:
    '{"identifiers":"{\\"user\\":\\"ann\\"}","subscriptions":["{\\"channel\\":\\"chat\\",\\"room\\":\\"lobby\\"}"],"env":{"url":"http://127.0.0.1:18932/cable","headers":{"REMOTE_ADDR":"127.0.0.1","cookie":"user=ann"},"cstate":{"connected_at":"t0","total":"1"},"istate":{"{\\"channel\\":\\"chat\\",\\"room\\":\\"lobby\\"}":"{\\"count\\":\\"1\\"}"}}}',
};
const HEADERS = { REMOTE_ADDR: "127.0.0.1", cookie: "user=ann" };
const URL = "http://127.0.0.1:18932/cable";
const LOBBY = '{"channel":"chat","room":"lobby"}';

function decoded(method: "connect" | "command" | "disconnect", body: string) {
  const result = decodeRequest(method, body);
  if (!result.ok) throw new Error(`expected ${body} to decode, got ${result.status} ${result.error}`);
  return result.decoded.request;
}

describe("isHttpRpcMethod", () => {
  it("knows the three endpoints, and nothing an object inherits", () => {
    expect(["connect", "command", "disconnect"].every(isHttpRpcMethod)).toBe(true);
    for (const name of ["Connect", "perform", "", "toString", "__proto__", "constructor", "hasOwnProperty"]) {
      expect(isHttpRpcMethod(name), name).toBe(false);
    }
  });
});

describe("decodeRequest: what anycable-go sends", () => {
  it("reads a Connect, with the env's missing maps as empty", () => {
    expect(decoded("connect", CAPTURED.connect)).toEqual({ env: { url: URL, headers: HEADERS, cstate: {}, istate: {} } });
  });

  it("reads a subscribe without data or istate, and a perform with both", () => {
    expect(decoded("command", CAPTURED.subscribe)).toEqual({
      command: "subscribe",
      identifier: LOBBY,
      connection_identifiers: '{"user":"ann"}',
      data: "",
      env: { url: URL, headers: HEADERS, cstate: { connected_at: "t0" }, istate: {} },
    });
    expect(decoded("command", CAPTURED.perform)).toMatchObject({
      command: "message",
      data: '{"action":"count"}',
      env: { istate: { count: "0" } },
    });
  });

  it("reads a Disconnect with each channel's state JSON-encoded under its identifier", () => {
    expect(decoded("disconnect", CAPTURED.disconnect)).toEqual({
      identifiers: '{"user":"ann"}',
      subscriptions: [LOBBY],
      env: { url: URL, headers: HEADERS, cstate: { connected_at: "t0", total: "1" }, istate: { [LOBBY]: '{"count":"1"}' } },
    });
  });

  it("reads absent and null fields as their zero values, a missing env as none", () => {
    expect(decoded("command", "{}")).toEqual({ command: "", identifier: "", connection_identifiers: "", data: "", env: null });
    expect(decoded("disconnect", '{"identifiers":null,"subscriptions":null,"env":null}')).toEqual({
      identifiers: "",
      subscriptions: [],
      env: null,
    });
    expect(decoded("connect", '{"env":{"url":null,"headers":null}}')).toEqual({ env: { url: "", headers: {}, cstate: {}, istate: {} } });
  });

  it("gives every request its own empty maps", () => {
    const first = decoded("connect", '{"env":{}}') as { env: { headers: Record<string, string> } };
    first.env.headers.cookie = "changed";
    expect(decoded("connect", '{"env":{}}')).toEqual({ env: { url: "", headers: {}, cstate: {}, istate: {} } });
  });

  it("ignores fields it does not know, as encoding/json does for a newer anycable-go", () => {
    expect(decoded("connect", '{"env":{"url":"u","future":{"x":1}},"trace_id":"abc"}')).toEqual({
      env: { url: "u", headers: {}, cstate: {}, istate: {} },
    });
  });
});

describe("decodeRequest: hostile bodies", () => {
  it.each([
    ["", /^Invalid JSON in Command request/],
    ["{", /^Invalid JSON in Command request/],
    ['{"command":"message"', /^Invalid JSON/],
  ])("answers 400 to %j", (body, error) => {
    expect(decodeRequest("command", body)).toEqual({ ok: false, status: 400, error: expect.stringMatching(error) });
  });

  it.each([
    ["null", "Invalid Command request: expected a JSON object"],
    ["[]", "Invalid Command request: expected a JSON object"],
    ['"subscribe"', "Invalid Command request: expected a JSON object"],
    ['{"command":42}', /^Invalid Command request: command: /],
    ['{"data":{"action":"speak"}}', /^Invalid Command request: data: /],
    ['{"env":{"headers":{"cookie":["a","b"]}}}', /^Invalid Command request: env\.headers\.cookie: /],
    ['{"env":{"istate":"count=1"}}', /^Invalid Command request: env\.istate: /],
    ['{"env":[]}', /^Invalid Command request: env: /],
  ])("answers 422 to %s, naming the field", (body, error) => {
    const result = decodeRequest("command", body);
    expect(result).toEqual({ ok: false, status: 422, error: typeof error === "string" ? error : expect.stringMatching(error) });
  });

  it("names every field that is wrong, not only the first", () => {
    const result = decodeRequest("command", '{"command":42,"data":{"action":"speak"}}');
    expect(result).toEqual({
      ok: false,
      status: 422,
      error: expect.stringMatching(/^Invalid Command request: command: [^;]+; data: [^;]+$/),
    });
  });

  it("refuses a Disconnect whose subscriptions are not strings", () => {
    expect(decodeRequest("disconnect", '{"subscriptions":[{"channel":"chat"}]}')).toMatchObject({
      ok: false,
      status: 422,
      error: expect.stringMatching(/^Invalid Disconnect request: subscriptions\.0: /),
    });
  });

  it("drops __proto__ keys without touching any prototype", () => {
    const request = decoded("connect", '{"env":{"headers":{"__proto__":"x","cookie":"c"},"cstate":{"__proto__":{"polluted":"1"}}}}') as {
      env: { headers: Record<string, string>; cstate: Record<string, string> };
    };
    expect(request.env.headers).toEqual({ cookie: "c" });
    expect(Object.hasOwn(request.env.headers, "__proto__")).toBe(false);
    expect(Object.getPrototypeOf(request.env.headers)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(request.env.cstate)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("encodeResponse", () => {
  it("writes numeric statuses and snake_case names, as anycable-go's json.Unmarshal reads them", () => {
    const body = encodeResponse({
      status: Status.SUCCESS,
      disconnect: false,
      stop_streams: true,
      streams: ["a"],
      transmissions: [],
      error_msg: "",
      env: { cstate: { k: "" }, istate: {} },
      stopped_streams: ["b"],
      presence: null,
    });
    expect(JSON.parse(body)).toEqual({
      status: 1,
      disconnect: false,
      stop_streams: true,
      streams: ["a"],
      transmissions: [],
      error_msg: "",
      env: { cstate: { k: "" }, istate: {} },
      stopped_streams: ["b"],
      presence: null,
    });
    expect(JSON.parse(encodeResponse({ status: Status.ERROR, error_msg: "boom" }))).toEqual({ status: 0, error_msg: "boom" });
  });
});

describe("decodeRequest: entry limit", () => {
  const manyHeaders = (n: number) =>
    JSON.stringify({ env: { headers: Object.fromEntries(Array.from({ length: n }, (_, i) => [`h${i}`, "v"])) } });

  it("refuses with 413 a request with more env entries and subscriptions than the limit, before validating them", () => {
    expect(decodeRequest("connect", manyHeaders(10), 10).ok).toBe(true);
    expect(decodeRequest("connect", manyHeaders(11), 10)).toEqual({
      ok: false,
      status: 413,
      error: "Connect request carries 11 entries, over the limit of 10",
    });
    const subscriptions = JSON.stringify({ subscriptions: Array.from({ length: 6 }, () => 42), env: { istate: { a: "1", b: "2" } } });
    expect(decodeRequest("disconnect", subscriptions, 7)).toMatchObject({ ok: false, status: 413 });
  });

  it("counts the entries of every env map: headers, cstate and istate", () => {
    const env = (map: string) => JSON.stringify({ env: { [map]: { a: "1", b: "2", c: "3" } } });
    for (const map of ["headers", "cstate", "istate"]) {
      expect(decodeRequest("connect", env(map), 3).ok, map).toBe(true);
      expect(decodeRequest("connect", env(map), 2), map).toMatchObject({ ok: false, status: 413 });
    }
  });

  it("counts only lists and maps: a long string in their place is refused for its type, not its length", () => {
    const longString = "x".repeat(50);
    for (const [method, body] of [
      ["disconnect", { subscriptions: longString }],
      ["connect", { env: { headers: longString } }],
      ["connect", { env: { cstate: longString } }],
      ["connect", { env: { istate: longString } }],
    ] as const) {
      expect(decodeRequest(method, JSON.stringify(body), 10), JSON.stringify(body)).toMatchObject({ ok: false, status: 422 });
    }
  });

  it("allows 4,096 entries by default", () => {
    expect(decodeRequest("connect", manyHeaders(4096)).ok).toBe(true);
    expect(decodeRequest("connect", manyHeaders(4097))).toMatchObject({ ok: false, status: 413 });
  });
});
