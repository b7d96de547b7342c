import { describe, expect, it } from "vitest";
import {
  broadcastingFor,
  globalIdParam,
  loadStreamsConfig,
  pubsubIdentifier,
  signTurboStreamName,
  turboStreamsIdentifier,
  verifyStreamName,
} from "../../../src/streams/index.js";

const room = (id: number) => ({ toGidParam: () => globalIdParam("app", "Room", id) });

describe("broadcastingFor (Action Cable's broadcasting_for / Turbo's stream_name_from)", () => {
  it("names records by toGidParam before toParam, scalars by their string form, arrays joined with ':'", () => {
    expect(broadcastingFor("chat")).toBe("chat");
    expect(broadcastingFor(["chat", 2021])).toBe("chat:2021");
    expect(broadcastingFor([{ toParam: () => 42 }, "messages"])).toBe("42:messages");
    expect(broadcastingFor({ toParam: () => "slug", toGidParam: () => "gid" })).toBe("gid");
    expect(broadcastingFor(["a", ["b", ["c", true]], 10n])).toBe("a:b:c:true:10");
  });

  it("names a record by the string its toParam returns (a slug), checked like toGidParam's", () => {
    expect(broadcastingFor(["posts", { toParam: () => "hello-world" }])).toBe("posts:hello-world");
    expect(() => broadcastingFor({ toParam: () => ({ id: 1 }) } as never)).toThrow(new TypeError("toParam() must return a string"));
  });

  it("refuses values that have no name in Ruby either: functions and symbols", () => {
    expect(() => broadcastingFor((() => "x") as never)).toThrow(new TypeError("Cannot name a broadcasting from a function"));
    expect(() => broadcastingFor(["chat", Symbol("room")] as never)).toThrow(new TypeError("Cannot name a broadcasting from a symbol"));
  });

  it("keeps nil parts as empty segments, as Ruby's Array#join does", () => {
    expect(broadcastingFor(["chat", null, "x"])).toBe("chat::x");
  });

  it("refuses what has no name", () => {
    expect(() => broadcastingFor("")).toThrow(TypeError);
    expect(() => broadcastingFor({} as never)).toThrow(/toGidParam\(\) or toParam\(\)/);
    expect(() => broadcastingFor({ toGidParam: () => 1 } as never)).toThrow(/must return a string/);
    const deep: unknown[] = [];
    let cursor = deep;
    for (let i = 0; i < 40; i++) cursor.push((cursor = []));
    expect(() => broadcastingFor(deep as never)).toThrow(/nested too deeply/);
  });
});

describe("globalIdParam (GlobalID#to_param)", () => {
  it("matches GlobalID's documented example for gid://app/Person/1", () => {
    expect(globalIdParam("app", "Person", 1)).toBe("Z2lkOi8vYXBwL1BlcnNvbi8x");
  });

  it("is URL-safe base64 without padding, for namespaced models and UUID ids", () => {
    const param = globalIdParam("my-app", "Admin::User", "0b9f3c1e-5d2a-4c8e-9f00-123456789abc");
    expect(param).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Buffer.from(param, "base64url").toString()).toBe("gid://my-app/Admin::User/0b9f3c1e-5d2a-4c8e-9f00-123456789abc");
  });

  it("refuses what GlobalID versions would escape differently, or refuse", () => {
    expect(() => globalIdParam("my app", "User", 1)).toThrow(TypeError);
    expect(() => globalIdParam("app", "User", "")).toThrow(TypeError);
    expect(() => globalIdParam("app", "User", "a b")).toThrow(TypeError);
    expect(() => globalIdParam("app", "User", "a/b")).toThrow(TypeError);
    expect(() => globalIdParam("app", "user/x", 1)).toThrow(TypeError);
  });
});

describe("Turbo and $pubsub signed names", () => {
  it("reproduces the anycable gem's Turbo vector: signed_stream_name([:chat, '2021']) with s3Krit", () => {
    expect(signTurboStreamName(["chat", "2021"], "s3Krit")).toBe(
      "ImNoYXQ6MjAyMSI=--f9ee45dbccb1da04d8ceb99cc820207804370ba0d06b46fc3b8b373af1315628",
    );
  });

  it("signs records by the Action Cable rule", () => {
    const signed = signTurboStreamName([room(3), "messages"], "k");
    expect(verifyStreamName(signed, "k")).toBe(`${globalIdParam("app", "Room", 3)}:messages`);
  });

  it("builds the identifiers clients subscribe with", () => {
    expect(JSON.parse(pubsubIdentifier("abc--00"))).toEqual({ channel: "$pubsub", signed_stream_name: "abc--00" });
    expect(JSON.parse(turboStreamsIdentifier("abc--00"))).toEqual({ channel: "Turbo::StreamsChannel", signed_stream_name: "abc--00" });
  });
});

describe("loadStreamsConfig", () => {
  it("falls back as anycable-go does: streams secret, else the app secret; turbo secret, else the streams secret", () => {
    expect(loadStreamsConfig({})).toEqual({ secret: undefined, turboSecret: undefined });
    expect(loadStreamsConfig({ ANYCABLE_SECRET: "app" })).toEqual({ secret: "app", turboSecret: "app" });
    expect(loadStreamsConfig({ ANYCABLE_SECRET: "app", ANYCABLE_STREAMS_SECRET: "s" })).toEqual({ secret: "s", turboSecret: "s" });
    expect(loadStreamsConfig({ ANYCABLE_STREAMS_SECRET: "s", ANYCABLE_TURBO_STREAMS_SECRET: "t" })).toEqual({
      secret: "s",
      turboSecret: "t",
    });
  });

  it("treats blank as unset and 'none' as off", () => {
    expect(loadStreamsConfig({ ANYCABLE_SECRET: "app", ANYCABLE_STREAMS_SECRET: " " }).secret).toBe("app");
    expect(loadStreamsConfig({ ANYCABLE_SECRET: "app", ANYCABLE_STREAMS_SECRET: "none" })).toEqual({
      secret: undefined,
      turboSecret: undefined,
    });
    expect(loadStreamsConfig({ ANYCABLE_SECRET: "none" }).secret).toBeUndefined();
    // Turbo signing switched off alone, the $pubsub secret kept.
    expect(loadStreamsConfig({ ANYCABLE_SECRET: "app", ANYCABLE_TURBO_STREAMS_SECRET: "none" })).toEqual({
      secret: "app",
      turboSecret: undefined,
    });
  });
});

describe("broadcastingFor's edges", () => {
  const nested = (levels: number): unknown => {
    let value: unknown = "x";
    for (let i = 0; i < levels; i++) value = [value];
    return value;
  };

  it("names a value inside 16 arrays and refuses one inside 17", () => {
    expect(broadcastingFor(nested(16) as never)).toBe("x");
    expect(() => broadcastingFor(nested(17) as never)).toThrow(new TypeError("A broadcasting is nested too deeply"));
  });

  it("keeps undefined parts as empty segments, as null ones", () => {
    expect(broadcastingFor(["chat", undefined, "x"])).toBe("chat::x");
  });

  it("names a record by the bigint its toParam returns", () => {
    expect(broadcastingFor(["big", { toParam: () => 12345678901234567890n }])).toBe("big:12345678901234567890");
  });

  it("says which method returned no string, and why an empty name is refused", () => {
    expect(() => broadcastingFor({ toGidParam: () => 1 } as never)).toThrow(new TypeError("toGidParam() must return a string"));
    expect(() => broadcastingFor([null, undefined])).not.toThrow();
    expect(() => broadcastingFor(null)).toThrow(new TypeError("A broadcasting name must not be empty"));
  });
});

describe("globalIdParam's refusals", () => {
  it("say which part is wrong and what it may hold", () => {
    expect(() => globalIdParam("my app", "User", 1)).toThrow(new TypeError("A GlobalID app name is letters, digits and dashes"));
    expect(() => globalIdParam("app", "user/x", 1)).toThrow(new TypeError("A GlobalID model name is a Ruby class name"));
    expect(() => globalIdParam("app", "User", "a b")).toThrow(new TypeError("A GlobalID id here is letters, digits and _ . - ~ only"));
  });
});
