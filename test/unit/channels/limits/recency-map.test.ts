import { describe, expect, it } from "vitest";
import { RecencyMap } from "../../../../channels/limits/recency-map.js";

function counter() {
  let made = 0;
  const map = new RecencyMap(() => ({ n: ++made }));
  return { map, made: () => made };
}

describe("RecencyMap (a bounded map that forgets the entry idle longest)", () => {
  it("makes a key's value once and gives the same one on every use", () => {
    const { map, made } = counter();
    const first = map.use("a");
    expect(map.use("a")).toBe(first);
    expect(made()).toBe(1);
    expect(map.peek("a")).toBe(first);
    expect(map.peek("b")).toBeUndefined();
    expect(map.size).toBe(1);
  });

  it("drops the least recently used keys first, counting uses of the newest key in a row as one", () => {
    const { map } = counter();
    map.use("a");
    map.use("b");
    map.use("a");
    map.use("a");
    map.use("c");
    map.trimTo(2);
    expect([map.peek("a"), map.peek("b"), map.peek("c")].map((v) => v !== undefined)).toEqual([true, false, true]);
  });

  it("does not count a peek as a use", () => {
    const { map } = counter();
    map.use("a");
    map.use("b");
    map.peek("a");
    map.trimTo(1);
    expect(map.peek("a")).toBeUndefined();
    expect(map.peek("b")).toBeDefined();
  });

  it("makes a fresh value for a key that was dropped, even when it was the newest", () => {
    const { map, made } = counter();
    const old = map.use("a");
    map.trimTo(0);
    expect(map.size).toBe(0);
    expect(map.use("a")).not.toBe(old);
    expect(made()).toBe(2);
  });
});
