import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signStreamName, verifyStreamNameWithReason } from "../../../src/streams/signed-stream-name.js";
import { streamNameFrom } from "../../../src/streams/stream-key.js";

// Signed names a page (or an attacker) may hand back, beyond signed-stream-name.test.ts: each
// refusal is pinned by its reason, so a check that gave way to a later one would be seen.

const hmacHex = (data: string, key: string) => createHmac("sha256", key).update(data).digest("hex");
const signRaw = (data: string, key: string) => `${data}--${hmacHex(data, key)}`;
const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");

describe("verifyStreamNameWithReason's size limit", () => {
  // A signed name is <data>--<64 hex>; data of n characters makes n + 66.
  it("reads a name of 8 KiB to its digest, and calls one character more malformed", () => {
    const wrong = "0".repeat(64);
    expect(verifyStreamNameWithReason(`${"A".repeat(8192 - 66)}--${wrong}`, "k")).toEqual({ ok: false, reason: "bad-digest" });
    expect(verifyStreamNameWithReason(`${"A".repeat(8193 - 66)}--${wrong}`, "k")).toEqual({ ok: false, reason: "malformed" });
  });

  it("accepts the longest name that fits", () => {
    const name = "n".repeat(6090); // base64 of its JSON: 8124 characters, 8190 with the digest
    const signed = signStreamName(name, "k");
    expect(signed).toHaveLength(8190);
    expect(verifyStreamNameWithReason(signed, "k")).toEqual({ ok: true, stream: name });
  });
});

describe("verifyStreamNameWithReason's form check", () => {
  const valid = signStreamName("calls", "k");
  const [data, hex] = valid.split("--") as [string, string];

  it.each([
    ["a digest with a leading non-hex character", `${data}--g${hex.slice(1)}`],
    ["a digest with a trailing non-hex character", `${data}--${hex.slice(0, -1)}g`],
    ["a digest one character longer", `${data}--${hex}0`],
    ["a separator alone", "--"],
    ["three dashes", `${data}---${hex}`],
  ])("calls %s malformed", (_, input) => {
    expect(verifyStreamNameWithReason(input, "k")).toEqual({ ok: false, reason: "malformed" });
  });

  it("calls empty data malformed even when the digest is the secret's digest of nothing", () => {
    expect(verifyStreamNameWithReason(`--${hmacHex("", "k")}`, "k")).toEqual({ ok: false, reason: "malformed" });
  });

  it("does not read the first two parts of a name with a second signature appended", () => {
    expect(verifyStreamNameWithReason(`${valid}--${hex}`, "k")).toEqual({ ok: false, reason: "malformed" });
  });
});

describe("verifyStreamNameWithReason after a good digest", () => {
  it("refuses a name that starts with a byte-order mark, as Go's JSON decoder does", () => {
    expect(verifyStreamNameWithReason(signRaw(b64('\uFEFF"calls"'), "k"), "k")).toEqual({ ok: false, reason: "bad-json" });
  });

  it("refuses invalid UTF-8 inside the JSON string rather than reading a replacement character", () => {
    const data = Buffer.concat([Buffer.from('"call'), Buffer.from([0xc3]), Buffer.from('"')]).toString("base64");
    expect(verifyStreamNameWithReason(signRaw(data, "k"), "k")).toEqual({ ok: false, reason: "bad-base64" });
  });

  it.each([
    ["padding in the middle", `${b64('"ab"')}${b64('"c"')}`],
    ["one padding character too many", `${b64('"abc"')}=`],
    ["a length that is not a multiple of four", b64('"calls"').slice(0, -1)],
    ["a '-' from the URL-safe alphabet", "Ij4-Ig=="],
    ["a '_' from the URL-safe alphabet", "Ij8_Ig=="],
  ])("refuses signed data with %s", (_, data) => {
    expect(verifyStreamNameWithReason(signRaw(data, "k"), "k")).toEqual({ ok: false, reason: "bad-base64" });
  });

  it("reads the standard alphabet's '+' and '/'", () => {
    // '">>"' and '"??"' encode to text with '+' and '/'.
    for (const name of [">>>", "???", "a>?b"]) {
      const data = b64(JSON.stringify(name));
      expect(verifyStreamNameWithReason(signRaw(data, "k"), "k")).toEqual({ ok: true, stream: name });
    }
    expect(b64(JSON.stringify(">>>")) + b64(JSON.stringify("???"))).toMatch(/\+.*\//);
  });
});

describe("secrets for signed names", () => {
  it.each([
    ["empty", ""],
    ["not a string", 42],
  ])("refuses a secret that is %s, when signing and when verifying", (_, secret) => {
    const error = new TypeError("A non-empty secret is needed to sign or verify stream names");
    expect(() => signStreamName("calls", secret as string)).toThrow(error);
    expect(() => verifyStreamNameWithReason("x--y", secret as string)).toThrow(error);
  });
});

describe("streamNameFrom (cable_ready's compound rule)", () => {
  it("drops null, undefined and false parts and writes the rest as text", () => {
    expect(streamNameFrom(["call", undefined, null, false, "CA1"])).toBe("call:CA1");
    expect(streamNameFrom(["n", 1, 2n, true])).toBe("n:1:2:true");
    expect(streamNameFrom("call:CA1")).toBe("call:CA1");
  });

  it("refuses parts with no text form, and keys that are neither text nor parts", () => {
    expect(() => streamNameFrom(["call", { sid: "CA1" }] as never)).toThrow(
      new TypeError("A stream name part must be a string, number or boolean, not object"),
    );
    expect(() => streamNameFrom(["call", Symbol("x")] as never)).toThrow(/not symbol/);
    for (const key of [42, { length: 1 }, null]) {
      expect(() => streamNameFrom(key as never)).toThrow(new TypeError("A stream name must be a string or an array of parts"));
    }
  });

  it("refuses a key that names nothing", () => {
    for (const key of ["", [], [null, false, undefined]]) {
      expect(() => streamNameFrom(key as never)).toThrow(new TypeError("A stream name must not be empty"));
    }
  });
});
