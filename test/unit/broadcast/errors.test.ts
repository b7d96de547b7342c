// What a rejected broadcast says about itself: its class name shows in logs and stack traces.
import { describe, expect, it } from "vitest";
import {
  asError,
  BroadcastClosedError,
  BroadcastError,
  BroadcastQueueFullError,
  BroadcastRejectedError,
  errorMessage,
} from "../../../src/broadcast/errors.js";

describe("broadcast errors", () => {
  it("carry their own class name, the stream they are about and a cause", () => {
    const about = { kind: "publication", stream: "s" } as const;
    const cause = new Error("NOPERM");
    const errors = [
      new BroadcastError("m", about),
      new BroadcastQueueFullError("m", about),
      new BroadcastClosedError("m", about),
      new BroadcastRejectedError("m", about, { cause }),
    ];
    expect(errors.map((e) => e.name)).toEqual([
      "BroadcastError",
      "BroadcastQueueFullError",
      "BroadcastClosedError",
      "BroadcastRejectedError",
    ]);
    expect(errors.every((e) => e instanceof BroadcastError && e.about === about)).toBe(true);
    expect(errors[3]?.cause).toBe(cause);
    expect(String(errors[1])).toBe("BroadcastQueueFullError: m");
  });
});

describe("asError and errorMessage", () => {
  it("keep an Error, and make one of anything else", () => {
    const error = new Error("x");
    expect(asError(error)).toBe(error);
    expect(asError("socket hang up")).toMatchObject({ message: "socket hang up" });
    expect(asError(undefined)).toBeInstanceOf(Error);
  });

  it("adds an Error cause's message, and nothing for a cause that is not an Error", () => {
    expect(errorMessage(new Error("fetch failed", { cause: new Error("ECONNREFUSED") }))).toBe("fetch failed: ECONNREFUSED");
    expect(errorMessage(new Error("fetch failed", { cause: "ECONNREFUSED" }))).toBe("fetch failed");
    expect(errorMessage(42)).toBe("42");
  });
});
