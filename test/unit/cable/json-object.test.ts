// What counts as a JSON object (identifiers, params and action data must be one) and as a plain
// object (the only objects ParseCache shares between calls and camelize walks into).
import { describe, expect, it } from "vitest";
import { isJsonObject, isPlainObject } from "../../../src/cable/json-object.js";

describe("isJsonObject", () => {
  it("is true of decoded JSON objects only: not arrays, null or scalars", () => {
    expect(isJsonObject(JSON.parse('{"channel":"chat"}'))).toBe(true);
    expect(isJsonObject({})).toBe(true);
    for (const value of [[], ["chat"], null, undefined, "chat", 1, true]) expect(isJsonObject(value)).toBe(false);
  });
});

describe("isPlainObject", () => {
  it("is true of object literals and prototype-less objects, as JSON.parse and zod make them", () => {
    expect(isPlainObject({ a: 1 })).toBe(true);
    expect(isPlainObject(JSON.parse("{}"))).toBe(true);
    expect(isPlainObject(Object.create(null))).toBe(true);
  });

  it("is false of arrays, dates, maps, class instances, objects with another prototype, and scalars", () => {
    class Point {}
    for (const value of [[], new Date(0), new Map(), new Point(), Object.create({ inherited: true }), null, undefined, "{}", 0]) {
      expect(isPlainObject(value)).toBe(false);
    }
  });
});
