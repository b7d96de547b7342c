import { describe, expect, it } from "vitest";
import { freezeJsonData, ParseCache } from "../../../src/cable/parse-cache.js";

describe("ParseCache", () => {
  it("returns what was stored for the exact key", () => {
    const cache = new ParseCache<number>(4);
    cache.set('{"a":1}', 1);
    expect(cache.get('{"a":1}')).toBe(1);
    expect(cache.get('{"a": 1}')).toBeUndefined();
  });

  it("drops the oldest entry when full, and never grows past its capacity", () => {
    const cache = new ParseCache<number>(3);
    for (let i = 0; i < 10; i++) cache.set(`k${i}`, i);
    expect(cache.size).toBe(3);
    expect([cache.get("k6"), cache.get("k7"), cache.get("k8"), cache.get("k9")]).toEqual([undefined, 7, 8, 9]);
  });

  it("keeps nothing with a capacity of zero", () => {
    const cache = new ParseCache<number>(0);
    cache.set("k", 1);
    expect(cache.get("k")).toBeUndefined();
  });
});

describe("freezeJsonData", () => {
  it("deep-freezes plain JSON data", () => {
    const value = { room: "lobby", tags: ["a", { deep: true }], n: 1, none: null };
    expect(freezeJsonData(value)).toBe(true);
    expect(Object.isFrozen(value)).toBe(true);
    expect(Object.isFrozen(value.tags)).toBe(true);
    expect(Object.isFrozen(value.tags[1])).toBe(true);
    expect(() => {
      (value as { room: string }).room = "changed";
    }).toThrow(TypeError);
  });

  it("freezes the children of an object that was already frozen shallowly", () => {
    const inner = { x: 1 };
    const value = Object.freeze({ inner });
    expect(freezeJsonData(value)).toBe(true);
    expect(Object.isFrozen(inner)).toBe(true);
  });

  it.each([
    ["a Date", { at: new Date(0) }],
    ["a Map", { m: new Map() }],
    ["a class instance", { u: new (class User {})() }],
    ["undefined", { u: undefined }],
    ["a function", { f: () => 1 }],
    ["NaN", { n: Number.NaN }],
    ["a bigint", { b: 1n }],
  ])("refuses data holding %s and leaves it untouched", (_label, value) => {
    expect(freezeJsonData(value)).toBe(false);
    expect(Object.isFrozen(value)).toBe(false);
  });

  it("refuses cyclic data instead of recursing forever", () => {
    const value: Record<string, unknown> = {};
    value.self = value;
    expect(freezeJsonData(value)).toBe(false);
    const list: unknown[] = [];
    list.push(list);
    expect(freezeJsonData(list)).toBe(false);
  });

  it("refuses an array holding anything that is not JSON data, and leaves it untouched", () => {
    const value = ["ok", new Date(0)];
    expect(freezeJsonData(value)).toBe(false);
    expect(Object.isFrozen(value)).toBe(false);
  });

  it("takes data nested 32 levels deep, objects or arrays, and refuses a 33rd level", () => {
    const nest = (depth: number, wrap: (inner: unknown) => unknown): unknown => {
      let value: unknown = "leaf";
      for (let i = 0; i < depth; i++) value = wrap(value);
      return value;
    };
    for (const wrap of [(inner: unknown) => ({ inner }), (inner: unknown) => [inner]]) {
      expect(freezeJsonData(nest(32, wrap))).toBe(true);
      expect(freezeJsonData(nest(33, wrap))).toBe(false);
    }
  });
});
