import { describe, expect, it } from "vitest";
import { loadCableReadyConfig } from "../../../src/cable-ready/config.js";

describe("loadCableReadyConfig", () => {
  it("prefers ANYCABLE_CABLE_READY_SECRET", () => {
    const env = { ANYCABLE_CABLE_READY_SECRET: "cr", ANYCABLE_STREAMS_SECRET: "streams", ANYCABLE_SECRET: "app" };
    expect(loadCableReadyConfig(env)).toEqual({ secret: "cr", secretSource: "ANYCABLE_CABLE_READY_SECRET" });
  });

  it("falls back to ANYCABLE_STREAMS_SECRET, then ANYCABLE_SECRET", () => {
    expect(loadCableReadyConfig({ ANYCABLE_STREAMS_SECRET: "streams", ANYCABLE_SECRET: "app" })).toEqual({
      secret: "streams",
      secretSource: "ANYCABLE_STREAMS_SECRET",
    });
    expect(loadCableReadyConfig({ ANYCABLE_SECRET: "app" })).toEqual({ secret: "app", secretSource: "ANYCABLE_SECRET" });
  });

  it("treats an empty or blank variable as unset", () => {
    const env = { ANYCABLE_CABLE_READY_SECRET: "", ANYCABLE_STREAMS_SECRET: "   ", ANYCABLE_SECRET: "app" };
    expect(loadCableReadyConfig(env)).toEqual({ secret: "app", secretSource: "ANYCABLE_SECRET" });
  });

  it("returns no secret when none is set, leaving the decision to the caller", () => {
    expect(loadCableReadyConfig({})).toEqual({ secret: undefined, secretSource: undefined });
    expect(loadCableReadyConfig({ ANYCABLE_SECRET: "" })).toEqual({ secret: undefined, secretSource: undefined });
  });

  it("keeps the secret's bytes exactly, non-ASCII and surrounding spaces included", () => {
    expect(loadCableReadyConfig({ ANYCABLE_CABLE_READY_SECRET: " s3cЯeT " }).secret).toBe(" s3cЯeT ");
  });

  it("ignores unrelated variables", () => {
    expect(loadCableReadyConfig({ SECRET: "x", ANYCABLE_CABLE_READY_KEY: "y" }).secret).toBeUndefined();
  });
});
