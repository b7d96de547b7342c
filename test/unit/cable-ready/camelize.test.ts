import { describe, expect, it } from "vitest";
import {
  MAX_KNOWN_CAMEL,
  camelizeKey,
  deepCamelizeKeys,
  isCamelKey,
  isFlatCamelEntry,
  knownCamelKeyCount,
} from "../../../src/cable-ready/camelize.js";

describe("camelizeKey (ActiveSupport camelize(:lower))", () => {
  it.each([
    ["focus_selector", "focusSelector"],
    ["select_all", "selectAll"],
    ["background_color", "backgroundColor"],
    ["permanent_attribute_name", "permanentAttributeName"],
    ["insert_adjacent_html", "insertAdjacentHtml"],
    ["selectAll", "selectAll"],
    ["BackgroundColor", "backgroundColor"],
    ["already_Camel_CASE", "alreadyCamelCase"],
    ["HTML", "hTML"],
    ["x__y", "xY"],
    ["trailing_", "trailing"],
    ["_private", "Private"],
    ["2fa_code", "2faCode"],
    ["a/b_c", "a::BC"],
    ["--main-color", "--main-color"],
    ["data-call-sid", "data-call-sid"],
    ["", ""],
    // Ruby's ^ is a line anchor, not "the first word character anywhere": a key that does not
    // start with one keeps its case, as "-Foo".camelize(:lower) does.
    ["-Foo", "-Foo"],
    ["-Foo_bar", "-FooBar"],
    ["a\nBc", "a\nBc"],
    ["-\nFoo", "-\nfoo"],
    // A trailing separator drops the underscore and turns a slash into "::", short keys too.
    ["x_", "x"],
    ["a/", "a::"],
    ["a__", "a"],
  ])("%j -> %j", (input, expected) => {
    expect(camelizeKey(input)).toBe(expected);
  });

  it("leaves its own output unchanged for keys that start with a letter", () => {
    for (const key of ["focus_selector", "a/b_c", "HTML", "Background_COLOR"]) {
      expect(camelizeKey(camelizeKey(key))).toBe(camelizeKey(key));
    }
  });
});

describe("deepCamelizeKeys", () => {
  it("camelizes keys at every depth, including objects inside arrays", () => {
    const input = {
      focus_selector: "#x",
      detail: { call_sid: "CA1", nested_list: [{ inner_key: 1 }, "plain_string", [{ deep_key: true }]] },
    };
    expect(deepCamelizeKeys(input)).toEqual({
      focusSelector: "#x",
      detail: { callSid: "CA1", nestedList: [{ innerKey: 1 }, "plain_string", [{ deepKey: true }]] },
    });
  });

  it("leaves values alone: only keys change", () => {
    expect(deepCamelizeKeys({ some_key: "some_value" })).toEqual({ someKey: "some_value" });
  });

  it("keeps key order", () => {
    expect(Object.keys(deepCamelizeKeys({ z_z: 1, a_a: 2, m_m: 3 }) as object)).toEqual(["zZ", "aA", "mM"]);
  });

  it("resolves keys that collide after camelization the way Ruby's deep_transform_keys! does", () => {
    // Ruby replays delete-then-store per key; the snake_case value wins in either order.
    expect(deepCamelizeKeys({ select_all: "snake", selectAll: "camel" })).toEqual({ selectAll: "snake" });
    expect(deepCamelizeKeys({ selectAll: "camel", select_all: "snake" })).toEqual({ selectAll: "snake" });
  });

  it("does not descend into class instances such as dates", () => {
    const when = new Date(0);
    const result = deepCamelizeKeys({ created_at: when }) as { createdAt: unknown };
    expect(result.createdAt).toBe(when);
  });

  it("cannot be used to set an object's prototype", () => {
    const hostile = JSON.parse('{"__proto__": {"polluted": true}}') as unknown;
    const result = deepCamelizeKeys(hostile) as Record<string, unknown>;
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(result.Proto).toEqual({ polluted: true });
  });
});

describe("deepCamelizeKeys on keys that are already camelCase", () => {
  it("returns a copy with the same keys in the same order", () => {
    const options = { selector: "#a", html: "x", focusSelector: "#b", delay: 5, selectAll: true };
    const camelized = deepCamelizeKeys(options);
    expect(camelized).not.toBe(options);
    expect(Object.keys(camelized as object)).toEqual(Object.keys(options));
    expect(camelized).toEqual(options);
  });

  it("still descends into nested objects and arrays", () => {
    expect(deepCamelizeKeys({ detail: { text_length: 1 }, list: [{ a_b: 1 }] })).toEqual({ detail: { textLength: 1 }, list: [{ aB: 1 }] });
  });
});

describe("deepCamelizeKeys on symbol-keyed properties", () => {
  // Symbols have no name to camelize and no place in JSON; whether the other keys needed
  // renaming must not decide whether they come through.
  const tag = Symbol("tag");

  it("drops them whether or not the other keys are already camelCase", () => {
    expect(Object.getOwnPropertySymbols(deepCamelizeKeys({ [tag]: 1, selector: "#a" }) as object)).toEqual([]);
    expect(Object.getOwnPropertySymbols(deepCamelizeKeys({ [tag]: 1, focus_selector: "#a" }) as object)).toEqual([]);
    expect(Object.getOwnPropertySymbols(deepCamelizeKeys({ [tag]: 1 }) as object)).toEqual([]);
  });

  it("keeps the string keys beside them", () => {
    expect(deepCamelizeKeys({ [tag]: 1, selector: "#a", detail: { [tag]: 2, call_sid: "CA1" } })).toStrictEqual({
      selector: "#a",
      detail: { callSid: "CA1" },
    });
  });
});

describe("isFlatCamelEntry (a property deepCamelizeKeys leaves as it is)", () => {
  it.each([
    ["selector", "#calls"],
    ["focusSelector", null],
    ["at", new Date(0)],
    ["count", 3],
  ])("%s with a value it does not descend into", (key, value) => {
    expect(isFlatCamelEntry(key, value)).toBe(true);
  });

  it.each([
    ["call_sid", "CA1"],
    ["Selector", "#calls"],
    ["detail", { callSid: "CA1" }],
    ["detail", Object.create(null) as object],
    ["items", []],
    ["items", ["a"]],
  ])("not %s = %j: a key to rename or a value to descend into", (key, value) => {
    expect(isFlatCamelEntry(key, value)).toBe(false);
  });
});

describe("isCamelKey's cache of camelCase keys", () => {
  // Keys come from callers (custom operations, nested details), so the cache must stay bounded
  // whatever they send; these two run in order and share the module's one cache.
  it("remembers a camelCase key the first time it sees one, and only once", () => {
    const before = knownCamelKeyCount();
    expect(before).toBeLessThan(MAX_KNOWN_CAMEL);
    expect(isCamelKey("cacheProbeKey")).toBe(true);
    expect(knownCamelKeyCount()).toBe(before + 1);
    expect(isCamelKey("cacheProbeKey")).toBe(true);
    expect(isCamelKey("cache_probe_key")).toBe(false);
    expect(knownCamelKeyCount()).toBe(before + 1);
  });

  it("stops growing at its bound, and still answers for keys past it", () => {
    const keys = Array.from({ length: MAX_KNOWN_CAMEL + 50 }, (_, index) => `boundProbe${index}`);
    expect(keys.every((key) => isCamelKey(key))).toBe(true);
    expect(knownCamelKeyCount()).toBe(MAX_KNOWN_CAMEL);
    expect(camelizeKey("boundProbeLast")).toBe("boundProbeLast");
    expect(camelizeKey("bound_probe_last")).toBe("boundProbeLast");
    expect(isCamelKey("bound_probe_last")).toBe(false);
    expect(knownCamelKeyCount()).toBe(MAX_KNOWN_CAMEL);
  });
});
