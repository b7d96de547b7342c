import { describe, expect, it } from "vitest";
import { timestamp } from "../../../../channels/views/timestamp.js";

const rendered = (at: number) => String(timestamp(at));
const expected = (at: number) => {
  const iso = new Date(at).toISOString();
  return `<time datetime="${iso}" data-local-time>${iso.slice(11, 19)} UTC</time>`;
};

describe("timestamp", () => {
  it("renders the UTC time as Date#toISOString would, to the millisecond", () => {
    for (const at of [0, 1, 9, 10, 99, 100, 999, 1_000, 1_700_000_000_000, 1_700_000_000_007, 1_700_000_000_070, 253_402_300_799_999]) {
      expect(rendered(at)).toBe(expected(at));
    }
  });

  it("stays right when consecutive times share a second, leave it, and come back", () => {
    const times = [
      1_700_000_000_001, 1_700_000_000_001, 1_700_000_000_999, 1_700_000_001_000, 1_700_000_000_500, 1_699_999_999_999, 1_700_000_001_000,
      1_700_000_001_000,
    ];
    expect(times.map(rendered)).toEqual(times.map(expected));
  });
});
