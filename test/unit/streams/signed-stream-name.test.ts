import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signStreamName, verifyStreamName, verifyStreamNameWithReason } from "../../../src/streams/signed-stream-name.js";

// From the reference: the first four computed with Node's crypto, the last anycable-go's fixture.
const VECTORS = [
  { key: "secret", name: "calls", signed: "ImNhbGxzIg==--02cff6b8c0c54acfea9a067689a8d0cec0d814cef7152af26f517d4b035b1f17" },
  { key: "secret", name: "call:CA123", signed: "ImNhbGw6Q0ExMjMi--a1bc4bdacd5fa9f7a181391a10e5915fd03c3467088ce67e49cfd0c1bee73b1e" },
  { key: "secret", name: "call_CA123", signed: "ImNhbGxfQ0ExMjMi--510979abb44360195a40c4669abf9f5e2089cc7b8a228d6d39b0002b64363f82" },
  { key: "s3cЯeT", name: "calls", signed: "ImNhbGxzIg==--7a213f60f6764800c7c6dc67a9a5c20f9bd75a03fe9ab13a40ec56aebf9c128f" },
  { key: "s3Krit", name: "chat:2021", signed: "ImNoYXQ6MjAyMSI=--f9ee45dbccb1da04d8ceb99cc820207804370ba0d06b46fc3b8b373af1315628" },
] as const;

/** Signs arbitrary base64 text with a valid digest, to reach the checks after the digest. */
function signRaw(data: string, key: string): string {
  return `${data}--${createHmac("sha256", Buffer.from(key, "utf8")).update(data).digest("hex")}`;
}

const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");

describe("signStreamName", () => {
  it.each(VECTORS)("signs $name with key $key as in the reference", ({ key, name, signed }) => {
    expect(signStreamName(name, key)).toBe(signed);
  });

  it("joins compound keys with ':' before signing", () => {
    expect(signStreamName(["call", "CA123"], "secret")).toBe(VECTORS[1].signed);
    expect(signStreamName(["chat", null, 2021, false], "s3Krit")).toBe(VECTORS[4].signed);
  });

  it("round-trips names with non-ASCII text and JSON-special characters", () => {
    for (const name of ['call "quoted" \\ back', "звонок:1", "emoji:📞", "line\nbreak"]) {
      expect(verifyStreamName(signStreamName(name, "k"), "k")).toBe(name);
    }
  });

  it("needs a non-empty secret and a non-empty name", () => {
    expect(() => signStreamName("calls", "")).toThrow(TypeError);
    expect(() => signStreamName("", "secret")).toThrow(TypeError);
  });
});

describe("verifyStreamName", () => {
  it.each(VECTORS)("accepts the reference vector for $name with key $key", ({ key, name, signed }) => {
    expect(verifyStreamName(signed, key)).toBe(name);
    expect(verifyStreamNameWithReason(signed, key)).toEqual({ ok: true, stream: name });
  });

  const valid = VECTORS[0].signed;
  const [data, hex] = valid.split("--") as [string, string];

  it("refuses tampered data", () => {
    const tampered = `${b64('"call"')}--${hex}`;
    expect(verifyStreamNameWithReason(tampered, "secret")).toEqual({ ok: false, reason: "bad-digest" });
    expect(verifyStreamName(tampered, "secret")).toBeNull();
  });

  it("refuses a tampered digest", () => {
    const flipped = `${data}--${hex.slice(0, -1)}${hex.endsWith("0") ? "1" : "0"}`;
    expect(verifyStreamNameWithReason(flipped, "secret")).toEqual({ ok: false, reason: "bad-digest" });
  });

  it("refuses a name signed with another key", () => {
    expect(verifyStreamNameWithReason(valid, "not-the-secret")).toEqual({ ok: false, reason: "bad-digest" });
    expect(verifyStreamName(VECTORS[3].signed, "secret")).toBeNull();
  });

  it("refuses input that is not a string", () => {
    for (const input of [undefined, null, 42, { identifier: valid }, [valid]]) {
      expect(verifyStreamNameWithReason(input, "secret")).toEqual({ ok: false, reason: "not-a-string" });
    }
  });

  it.each([
    ["empty", ""],
    ["no separator", `${data}${hex}`],
    ["no data", `--${hex}`],
    ["no digest", `${data}--`],
    ["an extra separator", `${data}--${hex}--${hex}`],
    ["an upper-case digest", `${data}--${hex.toUpperCase()}`],
    ["a short digest", `${data}--${hex.slice(0, 62)}`],
    ["a long digest", `${data}--${hex}00`],
    ["far too long", `${"A".repeat(10_000)}--${hex}`],
  ])("refuses a malformed name: %s", (_what, input) => {
    expect(verifyStreamNameWithReason(input, "secret")).toEqual({ ok: false, reason: "malformed" });
  });

  it.each([
    ["unpadded", "ImNhbGxzIg"],
    ["url-safe alphabet", b64('"a?>"').replace(/\+/g, "-").replace(/\//g, "_").replace(/-/g, "_")],
    ["non-zero padding bits", "ImNhbGxzIh=="],
    ["whitespace", "ImNh bGxzIg=="],
    ["invalid UTF-8", Buffer.from([0x22, 0xff, 0x22]).toString("base64")],
  ])("refuses correctly signed data that is not strict base64 of UTF-8: %s", (_what, badData) => {
    expect(verifyStreamNameWithReason(signRaw(badData, "secret"), "secret")).toEqual({ ok: false, reason: "bad-base64" });
  });

  it("refuses correctly signed data that is not JSON", () => {
    expect(verifyStreamNameWithReason(signRaw(b64("calls"), "secret"), "secret")).toEqual({ ok: false, reason: "bad-json" });
  });

  it.each([
    ["an array", ["call", "CA1"]],
    ["an object", { stream: "calls" }],
    ["a number", 2021],
    ["null", null],
    ["a boolean", true],
  ])("refuses correctly signed JSON that is %s, not a string", (_what, value) => {
    expect(verifyStreamNameWithReason(signRaw(b64(JSON.stringify(value)), "secret"), "secret")).toEqual({
      ok: false,
      reason: "not-a-string-name",
    });
  });

  it("refuses anycable-go's own non-string fixture (an array with a timestamp)", () => {
    const fixture = "WyJjaGF0LzIwMjMiLDE2ODUwMjQwMTdd--5b6661024d4c463c4936cd1542bc9a7672dd8039ac407d0b6c901697190e8aeb";
    expect(verifyStreamNameWithReason(fixture, "s3Krit")).toEqual({ ok: false, reason: "not-a-string-name" });
  });

  it("refuses a correctly signed empty name", () => {
    expect(verifyStreamNameWithReason(signRaw(b64('""'), "secret"), "secret")).toEqual({ ok: false, reason: "empty-name" });
  });

  it("needs a non-empty secret", () => {
    expect(() => verifyStreamName(valid, "")).toThrow(TypeError);
  });
});
