// What counts as a zod schema when it comes from outside the type system (an action's schema, an
// adapter's variable): any copy of zod 4, and nothing merely shaped like one.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { isZodSchema } from "../../../src/shared/zod-schema.js";

describe("isZodSchema", () => {
  it("accepts zod 4 schemas, plain or piped", () => {
    expect(isZodSchema(z.string())).toBe(true);
    expect(isZodSchema(z.object({ a: z.number() }).optional())).toBe(true);
    expect(isZodSchema(z.string().transform(Number).pipe(z.number()))).toBe(true);
  });

  it.each([
    ["undefined", undefined],
    ["null", null],
    ["a string", "z.string()"],
    ["a function", () => true],
    ["an object with safeParse alone", { safeParse: () => ({ success: true }) }],
    ["internals set to null", { safeParse: () => ({ success: true }), _zod: null }],
    ["internals but no parse method", { safeParse: "yes", _zod: {} }],
  ])("refuses %s", (_, value) => {
    expect(isZodSchema(value)).toBe(false);
  });
});
