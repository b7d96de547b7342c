import { describe, expect, it } from "vitest";
import { MAX_TRACKED_SEQUENCES, MemoryCallRegistry } from "../../../../channels/calls/memory-call-registry.js";
import { callRegistryContract } from "../support/call-registry-contract.js";

describe("MemoryCallRegistry", () => {
  callRegistryContract((limits) => new MemoryCallRegistry(limits));
});

describe("MemoryCallRegistry's status sequences (bounded: Twilio's callbacks name any call sid)", () => {
  async function fill(registry: MemoryCallRegistry, from: number, count: number): Promise<void> {
    for (let i = from; i < from + count; i++) expect(await registry.claimStatusSequence(`CA-fill-${i}`, 1)).toBe(true);
  }

  it(`remembers ${MAX_TRACKED_SEQUENCES} calls and forgets the one claimed longest ago first`, async () => {
    const registry = new MemoryCallRegistry();
    await fill(registry, 0, MAX_TRACKED_SEQUENCES);
    expect(await registry.claimStatusSequence("CA-fill-0", 1)).toBe(false);
    await fill(registry, MAX_TRACKED_SEQUENCES, 1);
    // CA-fill-0 was forgotten, so a replay of its sequence is accepted again; CA-fill-1 is still known.
    expect(await registry.claimStatusSequence("CA-fill-0", 1)).toBe(true);
    expect(await registry.claimStatusSequence("CA-fill-2", 1)).toBe(false);
  });

  it("counts an accepted claim as a use and a refused one not", async () => {
    const registry = new MemoryCallRegistry();
    await fill(registry, 0, MAX_TRACKED_SEQUENCES);
    expect(await registry.claimStatusSequence("CA-fill-0", 2)).toBe(true);
    expect(await registry.claimStatusSequence("CA-fill-1", 1)).toBe(false);
    await fill(registry, MAX_TRACKED_SEQUENCES, 2);
    // Fill-0 moved to the newest by its accepted claim; fill-1's refused claim left it the oldest,
    // so the two new calls pushed out fill-1 and fill-2. (Refusals first: an accepted claim evicts.)
    expect(await registry.claimStatusSequence("CA-fill-0", 2)).toBe(false);
    expect(await registry.claimStatusSequence("CA-fill-3", 1)).toBe(false);
    expect(await registry.claimStatusSequence("CA-fill-1", 1)).toBe(true);
  });
});
