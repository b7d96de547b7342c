// ConnectionIdentifiers: which calls share one parse of a connection's identifiers string.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { Connection } from "../../../../src/cable/connection.js";
import { ConnectionIdentifiers } from "../../../../src/rpc/dispatch/connection-identifiers.js";

function countingConnection(): { identifiers: ConnectionIdentifiers; parses: () => number } {
  let parses = 0;
  class CountingConnection extends Connection<{ user: string }> {
    static override identifiers = z.object({ user: z.string() }).transform((value) => {
      parses += 1;
      return value;
    });
  }
  return { identifiers: new ConnectionIdentifiers(CountingConnection), parses: () => parses };
}

function valueOf<T>(outcome: { ok: true; value: T } | { ok: false }): T {
  if (!outcome.ok) throw new Error("expected the identifiers to parse");
  return outcome.value;
}

const RAW = '{"user":"ada"}';

describe("ConnectionIdentifiers", () => {
  it("parses afresh for every subscribe, unsubscribe or Disconnect: those are not kept", () => {
    const { identifiers, parses } = countingConnection();
    const first = valueOf(identifiers.parse(RAW, "subscribe"));
    const second = valueOf(identifiers.parse(RAW, "Disconnect"));
    expect(parses()).toBe(2);
    expect(second).toEqual({ user: "ada" });
    expect(second).not.toBe(first);
    // Frozen on this path too: a channel cannot come to rely on changing them.
    expect(Object.isFrozen(first)).toBe(true);
  });

  it("shares one parse between a connection's performs, and with its later calls", () => {
    const { identifiers, parses } = countingConnection();
    const first = valueOf(identifiers.parseForPerform(RAW, "message"));
    expect(valueOf(identifiers.parseForPerform(RAW, "message"))).toBe(first);
    expect(valueOf(identifiers.parse(RAW, "Disconnect"))).toBe(first);
    expect(parses()).toBe(1);
    expect(Object.isFrozen(first)).toBe(true);
  });

  it("keeps nothing for a subscribe, so a later perform parses once and keeps it", () => {
    const { identifiers, parses } = countingConnection();
    identifiers.parse(RAW, "subscribe");
    const performed = valueOf(identifiers.parseForPerform(RAW, "message"));
    expect(valueOf(identifiers.parseForPerform(RAW, "message"))).toBe(performed);
    expect(parses()).toBe(2);
  });

  it("reads an empty string as a connection identified by nothing, on either path", () => {
    const { identifiers, parses } = countingConnection();
    expect(valueOf(identifiers.parse("", "subscribe"))).toBeUndefined();
    expect(valueOf(identifiers.parseForPerform("", "message"))).toBeUndefined();
    expect(parses()).toBe(0);
  });
});
