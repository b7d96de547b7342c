// The request env as the handler reads it, and the state delta a response carries back.
import { describe, expect, it } from "vitest";
import { StateStore } from "../../../../src/cable/state.js";
import { channelStateOf, envDelta, normaliseEnv } from "../../../../src/rpc/mapping/env.js";
import type { Env } from "../../../../src/rpc/messages.js";

const EMPTY: Env = { url: "", headers: {}, cstate: {}, istate: {} };

describe("normaliseEnv", () => {
  it("passes a well-formed env through as it is", () => {
    const env: Env = { url: "http://x/cable", headers: { cookie: "a=1" }, cstate: { k: "v" }, istate: {} };
    expect(normaliseEnv(env)).toBe(env);
  });

  it("fills in what is missing", () => {
    expect(normaliseEnv(null)).toEqual(EMPTY);
    expect(normaliseEnv(undefined)).toEqual(EMPTY);
    expect(normaliseEnv({ headers: { a: "1" } } as unknown as Env)).toEqual({ ...EMPTY, headers: { a: "1" } });
  });

  it("reads an env with any malformed field as empty, whichever field it is", () => {
    const good: Env = { url: "http://x/cable", headers: { a: "1" }, cstate: { b: "2" }, istate: { c: "3" } };
    const malformed: Array<[string, unknown]> = [
      ["a url that is not a string", { ...good, url: 5 }],
      ["a header that is not a string", { ...good, headers: { a: 1 } }],
      ["headers that are an array", { ...good, headers: ["a"] }],
      ["headers that are null", { ...good, headers: null }],
      ["cstate that is a string", { ...good, cstate: "b=2" }],
      ["an istate value that is an object", { ...good, istate: { c: {} } }],
    ];
    for (const [label, env] of malformed) expect(normaliseEnv(env as Env), label).toEqual(EMPTY);
  });
});

describe("channelStateOf", () => {
  it("reads one subscription's state map, JSON-encoded under its identifier", () => {
    const istate = { '{"channel":"a"}': '{"count":"1"}', '{"channel":"b"}': "[1]", '{"channel":"c"}': "{", '{"channel":"d"}': "" };
    expect(channelStateOf(istate, '{"channel":"a"}')).toEqual({ count: "1" });
    expect(channelStateOf(istate, '{"channel":"b"}')).toBeUndefined();
    expect(channelStateOf(istate, '{"channel":"c"}')).toBeUndefined();
    expect(channelStateOf(istate, '{"channel":"d"}')).toBeUndefined();
    expect(channelStateOf(istate, '{"channel":"e"}')).toBeUndefined();
  });
});

describe("envDelta", () => {
  it("is null when neither state changed", () => {
    expect(envDelta(new StateStore({ a: "1" }), undefined)).toBeNull();
    expect(envDelta(new StateStore(), new StateStore({ b: "2" }))).toBeNull();
  });

  it("carries both maps when either changed, the unchanged one empty", () => {
    const cstate = new StateStore();
    cstate.set("a", "1");
    expect(envDelta(cstate, undefined)).toEqual({ cstate: { a: "1" }, istate: {} });
    expect(envDelta(cstate, new StateStore({ b: "2" }))).toEqual({ cstate: { a: "1" }, istate: {} });
    const istate = new StateStore();
    istate.delete("b");
    expect(envDelta(new StateStore(), istate)).toEqual({ cstate: {}, istate: { b: "" } });
  });
});
