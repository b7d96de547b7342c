import { describe, expect, it } from "vitest";
import { Request, StateStore, z } from "../../../src/index.js";

describe("StateStore", () => {
  it("reports only what changed, with deletions as empty strings", () => {
    const state = new StateStore({ a: "1", b: "2" });
    state.set("a", "10");
    state.delete("b");
    state.set("c", "");
    expect(state.changes()).toEqual({ a: "10", b: "", c: "" });
    expect(state.toObject()).toEqual({ a: "10" });
  });

  it("reads its own writes over the incoming values, and deleted keys as absent", () => {
    const incoming = { a: "1", b: "2" };
    const state = new StateStore(incoming);
    state.set("a", "10");
    state.delete("b");
    state.set("c", "3");
    expect([state.get("a"), state.get("b"), state.get("c"), state.get("d")]).toEqual(["10", undefined, "3", undefined]);
    expect([state.has("a"), state.has("b"), state.has("c"), state.has("d")]).toEqual([true, false, true, false]);
    state.set("b", "again");
    expect(state.get("b")).toBe("again");
    expect(incoming).toEqual({ a: "1", b: "2" });
  });

  it("never reads inherited properties as state", () => {
    const state = new StateStore({});
    expect(state.get("toString")).toBeUndefined();
    expect(state.has("constructor")).toBe(false);
  });

  it("starts unchanged", () => {
    expect(new StateStore({ a: "1" }).changed).toBe(false);
  });

  it("round-trips JSON values and ignores ones that do not match the schema", () => {
    const state = new StateStore();
    state.setJSON("seen", ["x", "y"]);
    expect(state.getJSON("seen", z.array(z.string()))).toEqual(["x", "y"]);
    expect(state.getJSON("seen", z.number())).toBeUndefined();
    expect(new StateStore({ bad: "{" }).getJSON("bad", z.unknown())).toBeUndefined();
  });

  it("reads a value that is not JSON as absent, even where the schema has a default", () => {
    const state = new StateStore({ bad: "{", good: '"x"' });
    expect(state.getJSON("bad", z.string().default("fallback"))).toBeUndefined();
    expect(state.getJSON("missing", z.string().default("fallback"))).toBeUndefined();
    expect(state.getJSON("good", z.string().default("fallback"))).toBe("x");
  });

  it("lists its whole content, incoming values with changes applied", () => {
    expect(new StateStore().toObject()).toEqual({});
    const state = new StateStore();
    state.set("a", "1");
    state.set("b", "2");
    state.delete("b");
    expect(state.toObject()).toEqual({ a: "1" });
    expect(state.changed).toBe(true);
  });
});

describe("Request", () => {
  const request = new Request("http://localhost:8080/cable?token=abc&x=1", {
    cookie: "user=ann; theme=dark",
    "x-twilio-account": "AC1",
    REMOTE_ADDR: "10.0.0.1",
  });

  it("exposes cookies, query params, headers and the remote address", () => {
    expect(request.cookies).toEqual({ user: "ann", theme: "dark" });
    expect(request.params.get("token")).toBe("abc");
    expect(request.header("X-Twilio-Account")).toBe("AC1");
    expect(request.remoteAddr).toBe("10.0.0.1");
    expect(request.path).toBe("/cable");
  });

  it("copes with a URL that is not a URL and cookies that are not cookies", () => {
    const odd = new Request("::not a url::", { cookie: "=;;garbage" });
    expect(odd.params.size).toBe(0);
    expect(odd.parsedUrl).toBeNull();
    expect(odd.cookies.__proto__).toBeUndefined();
  });
});
