// What makes a value a broadcast adapter: an application module's export or plain JavaScript is
// checked before anything is read or connected, and the refusal says what to fix.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { broadcastAdapterProblem, defineBroadcastAdapter } from "../../../src/broadcast/adapter.js";
import { neverBuiltAdapter } from "../../support/never-built-adapter.js";

const valid = { ...neverBuiltAdapter, name: "a-b_c9", env: { MINE_URL: z.string().optional() } };

describe("broadcastAdapterProblem", () => {
  it("finds nothing wrong with a complete adapter, whatever letters, digits, - and _ its name has", () => {
    expect(broadcastAdapterProblem(valid)).toBeUndefined();
    expect(broadcastAdapterProblem({ ...valid, name: "x" })).toBeUndefined();
    expect(broadcastAdapterProblem({ ...valid, env: {} })).toBeUndefined();
  });

  it.each([
    ["null", null, "expected an adapter object, got null"],
    ["undefined", undefined, "expected an adapter object, got undefined"],
    ["a string", "nats", "expected an adapter object, got string"],
    ["an array", [valid], "expected an adapter object, got an array"],
    ["a class", class Adapter {}, "expected an adapter object, got function"],
  ])("refuses %s as no adapter object", (_, value, problem) => {
    expect(broadcastAdapterProblem(value)).toBe(problem);
  });

  it.each([
    ["capitals", "Mine", '"Mine"'],
    ["a leading digit", "1mine", '"1mine"'],
    ["a leading hyphen", "-mine", '"-mine"'],
    ["a space", "my adapter", '"my adapter"'],
    ["a dot at the end", "mine.", '"mine."'],
    ["nothing", "", '""'],
    ["a number", 7, "7"],
    ["no name", undefined, "undefined"],
  ])("refuses a name with %s: ANYCABLE_BROADCAST_ADAPTER is matched in lower case", (_, name, shown) => {
    expect(broadcastAdapterProblem({ ...valid, name })).toBe(
      `its name ${shown} must be lower case letters, digits, "-" or "_", starting with a letter`,
    );
  });

  it.each([
    ["blank", ""],
    ["not a string", 1],
    ["missing", undefined],
  ])("refuses a configKey that is %s", (_, configKey) => {
    expect(broadcastAdapterProblem({ ...valid, configKey })).toBe("its configKey (where its settings are kept) must be a non-empty string");
  });

  it.each([
    ["missing", undefined],
    ["null", null],
    ["a list", ["MINE_URL"]],
    ["a string", "MINE_URL"],
  ])("refuses env that is %s", (_, env) => {
    expect(broadcastAdapterProblem({ ...valid, env })).toBe("its env must be an object with a zod schema per variable it reads");
  });

  it("names the first variable that has no zod schema", () => {
    expect(broadcastAdapterProblem({ ...valid, env: { MINE_URL: z.string(), MINE_KEY: "secret", MINE_X: 1 } })).toBe(
      "its env.MINE_KEY must be a zod schema",
    );
  });

  it.each(["settings", "createTransport", "describe"])("refuses an adapter whose %s is not a function", (method) => {
    expect(broadcastAdapterProblem({ ...valid, [method]: undefined })).toBe(`its ${method} must be a function`);
    expect(broadcastAdapterProblem({ ...valid, [method]: "x" })).toBe(`its ${method} must be a function`);
  });
});

describe("defineBroadcastAdapter", () => {
  it("hands back the very adapter it was given", () => {
    expect(defineBroadcastAdapter(valid)).toBe(valid);
  });

  it("throws a TypeError naming the adapter and its problem", () => {
    expect(() => defineBroadcastAdapter({ ...valid, name: "Kafka" })).toThrow(
      new TypeError('broadcast adapter "Kafka": its name "Kafka" must be lower case letters, digits, "-" or "_", starting with a letter'),
    );
    expect(() => defineBroadcastAdapter(null as never)).toThrow(
      new TypeError("broadcast adapter undefined: expected an adapter object, got null"),
    );
  });
});
