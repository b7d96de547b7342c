import { describe, expect, it } from "vitest";
import { transcriptEvent } from "../../../channels/feed/call-event.js";
import { MemoryCallRegistry } from "../../../channels/registry/memory-call-registry.js";
import { callRegistryContract } from "./support/call-registry-contract.js";

describe("MemoryCallRegistry", () => {
  callRegistryContract((limits) => new MemoryCallRegistry(limits));

  it("keeps timelines for at most maxCallsWithEvents calls, evicting the least recently active", async () => {
    const registry = new MemoryCallRegistry({ maxCallsWithEvents: 2 });
    const sid = (n: number) => `CA${String(n).padStart(32, "0")}`;
    await registry.recordEvent(sid(1), transcriptEvent("a", "one", true, 1));
    await registry.recordEvent(sid(2), transcriptEvent("a", "two", true, 2));
    await registry.recordEvent(sid(1), transcriptEvent("b", "one again", true, 3));
    await registry.recordEvent(sid(3), transcriptEvent("a", "three", true, 4));
    expect(await registry.events(sid(2))).toEqual([]);
    expect(await registry.events(sid(1))).toHaveLength(2);
    expect(await registry.events(sid(3))).toHaveLength(1);
  });
});
