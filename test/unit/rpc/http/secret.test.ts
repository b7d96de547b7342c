// The HTTP RPC secret as anycable-go derives it, and the bearer check the listener runs per request.
import { describe, expect, it } from "vitest";
import { bearerCheck, deriveHttpRpcSecret } from "../../../../src/rpc/http/secret.js";

describe("deriveHttpRpcSecret", () => {
  it("derives what anycable-go derives from --secret", () => {
    // `printf rpc-cable | openssl dgst -sha256 -hmac secret`: anycable-go's utils.MessageVerifier.Sign.
    expect(deriveHttpRpcSecret("secret")).toBe("f07cae1c1e872f121cf4b7d3063cf9e53464f52cd944522d045ba5eee35a7912");
  });
});

describe("bearerCheck", () => {
  const check = bearerCheck("s3cret");

  it("accepts exactly `Bearer <secret>`", () => {
    expect(check("Bearer s3cret")).toBe(true);
  });

  it.each([
    ["no header", undefined],
    ["an empty header", ""],
    ["the secret alone", "s3cret"],
    ["another scheme's case", "bearer s3cret"],
    ["a longer secret", "Bearer s3cretx"],
    ["a prefix of the secret", "Bearer s3cre"],
  ])("refuses %s", (_label, authorization) => {
    expect(check(authorization)).toBe(false);
  });
});
