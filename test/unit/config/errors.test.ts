import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ConfigError, configErrorFrom, isConfigError } from "../../../src/config/errors.js";

describe("ConfigError", () => {
  it("is named ConfigError, and recognised by its brand, also when made by another copy of the framework", () => {
    expect(new ConfigError("x").name).toBe("ConfigError");
    expect(isConfigError(new ConfigError("x"))).toBe(true);
    // What a second copy's ConfigError carries: the registry symbol for its name, not this class.
    const foreign = Object.assign(new Error("x"), { [Symbol.for("anycable-ts.ConfigError")]: true });
    expect(isConfigError(foreign)).toBe(true);
    expect(foreign instanceof ConfigError).toBe(true);
    expect(isConfigError(new Error("x"))).toBe(false);
  });

  it("names a nested variable by its dotted path", () => {
    const parsed = z.object({ A: z.object({ B: z.string() }) }).safeParse({ A: {} });
    expect(parsed.success).toBe(false);
    if (parsed.success) return;
    expect(configErrorFrom(parsed.error, "demo").message).toMatch(/^Invalid demo configuration:\n {2}A\.B: /);
  });
});
