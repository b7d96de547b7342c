// Behaviour every CallRegistry must have; run against memory (unit) and Redis (integration).
import { describe, expect, it } from "vitest";
import { callStartedEvent, statusEvent, transcriptEvent } from "../../../../channels/calls/call-event.js";
import type { CallRegistry, RegistryLimits } from "../../../../channels/calls/call-registry.js";

const sid = (n: number): string => `CA${n.toString(16).padStart(32, "0")}`;

export function callRegistryContract(makeRegistry: (limits?: Partial<RegistryLimits>) => Promise<CallRegistry> | CallRegistry): void {
  const withRegistry = async (limits: Partial<RegistryLimits> | undefined, body: (registry: CallRegistry) => Promise<void>) => {
    const registry = await makeRegistry(limits);
    try {
      await body(registry);
    } finally {
      await registry.close();
    }
  };

  describe("live calls", () => {
    it("lists started calls oldest first and forgets stopped ones", () =>
      withRegistry(undefined, async (registry) => {
        const now = Date.now();
        await registry.callStarted(sid(1), now - 2_000);
        await registry.callStarted(sid(2), now - 1_000);
        await registry.callStarted(sid(3), now);
        expect(await registry.callStopped(sid(2))).toBe(true);
        expect(await registry.liveCalls()).toEqual([
          { sid: sid(1), startedAt: now - 2_000, lastSeenAt: now - 2_000 },
          { sid: sid(3), startedAt: now, lastSeenAt: now },
        ]);
      }));

    it("answers who started a call: a second start of a live call changes nothing, and stopping twice is harmless", () =>
      withRegistry(undefined, async (registry) => {
        const now = Date.now();
        expect(await registry.callStarted(sid(1), now - 5_000)).toBe(true);
        expect(await registry.callStarted(sid(1), now)).toBe(false);
        expect(await registry.liveCalls()).toEqual([{ sid: sid(1), startedAt: now - 5_000, lastSeenAt: now - 5_000 }]);
        expect(await registry.callStopped(sid(1))).toBe(true);
        expect(await registry.callStopped(sid(1))).toBe(false);
        expect(await registry.callStopped(sid(9))).toBe(false);
        expect(await registry.liveCalls()).toEqual([]);
        expect(await registry.callStarted(sid(1), now)).toBe(true);
      }));

    it("lets a call start again once its lease ran out", () =>
      withRegistry({ leaseMs: 60_000 }, async (registry) => {
        const now = Date.now();
        expect(await registry.callStarted(sid(1), now - 120_000)).toBe(true);
        expect(await registry.callStarted(sid(1), now)).toBe(true);
        expect(await registry.liveCalls()).toEqual([{ sid: sid(1), startedAt: now, lastSeenAt: now }]);
      }));

    it("keeps at most maxLiveCalls, dropping the oldest", () =>
      withRegistry({ maxLiveCalls: 3 }, async (registry) => {
        const now = Date.now();
        for (let i = 1; i <= 5; i++) expect(await registry.callStarted(sid(i), now - 10_000 + i)).toBe(true);
        expect((await registry.liveCalls()).map((c) => c.sid)).toEqual([sid(3), sid(4), sid(5)]);
      }));
  });

  describe("liveness lease", () => {
    it("does not list a call silent for longer than leaseMs (its stream died without a Disconnect)", () =>
      withRegistry({ leaseMs: 60_000 }, async (registry) => {
        const now = Date.now();
        await registry.callStarted(sid(1), now - 120_000);
        await registry.callStarted(sid(2), now - 120_000);
        expect(await registry.touch(sid(2), now - 1_000)).toBe(true);
        expect((await registry.liveCalls()).map((c) => c.sid)).toEqual([sid(2)]);
      }));

    it("renews only live calls, and never moves a lease backwards", () =>
      withRegistry(undefined, async (registry) => {
        const now = Date.now();
        expect(await registry.touch(sid(1), now)).toBe(false);
        expect(await registry.liveCalls()).toEqual([]);
        await registry.callStarted(sid(1), now - 10_000);
        expect(await registry.touch(sid(1), now)).toBe(true);
        expect(await registry.touch(sid(1), now - 5_000)).toBe(true);
        expect((await registry.liveCalls())[0]?.lastSeenAt).toBe(now);
      }));

    it("finds silent calls and ends each exactly once, unless it showed life meanwhile", () =>
      withRegistry(undefined, async (registry) => {
        const now = Date.now();
        await registry.callStarted(sid(1), now - 300_000);
        await registry.callStarted(sid(2), now - 300_000);
        await registry.callStarted(sid(3), now);
        const cutoff = now - 120_000;
        expect((await registry.silentCalls(cutoff)).sort()).toEqual([sid(1), sid(2)]);
        await registry.touch(sid(2), now);
        const results = await Promise.all([registry.endIfSilent(sid(1), cutoff), registry.endIfSilent(sid(1), cutoff)]);
        expect(results.filter(Boolean)).toHaveLength(1);
        expect(await registry.endIfSilent(sid(2), cutoff)).toBe(false);
        expect(await registry.endIfSilent(sid(3), cutoff)).toBe(false);
        expect((await registry.liveCalls()).map((c) => c.sid)).toEqual([sid(2), sid(3)]);
      }));
  });

  describe("status callback sequence", () => {
    it("accepts each call's sequence numbers only in increasing order", () =>
      withRegistry(undefined, async (registry) => {
        expect(await registry.claimStatusSequence(sid(1), 0)).toBe(true);
        expect(await registry.claimStatusSequence(sid(1), 2)).toBe(true);
        expect(await registry.claimStatusSequence(sid(1), 2)).toBe(false);
        expect(await registry.claimStatusSequence(sid(1), 1)).toBe(false);
        expect(await registry.claimStatusSequence(sid(2), 1)).toBe(true);
        expect(await registry.claimStatusSequence(sid(1), 3)).toBe(true);
      }));
  });

  describe("events", () => {
    it("returns a call's events in order, replacing same-key events in place", () =>
      withRegistry(undefined, async (registry) => {
        const start = callStartedEvent(1_000);
        await registry.recordEvent(sid(1), start);
        await registry.recordEvent(sid(1), transcriptEvent("a", "Hel", false, 2_000));
        await registry.recordEvent(sid(1), transcriptEvent("b", "Second.", true, 3_000));
        await registry.recordEvent(sid(1), transcriptEvent("a", "Hello.", true, 4_000));
        await registry.recordEvent(sid(2), statusEvent("ringing", "Ringing…", 5_000));
        expect(await registry.events(sid(1))).toEqual([
          start,
          { kind: "transcript", key: "event_a", at: 4_000, text: "Hello.", final: true },
          { kind: "transcript", key: "event_b", at: 3_000, text: "Second.", final: true },
        ]);
        expect(await registry.events(sid(2))).toEqual([{ kind: "status", key: "status_ringing", at: 5_000, text: "Ringing…" }]);
        expect(await registry.events(sid(3))).toEqual([]);
      }));

    it("keeps at most maxEventsPerCall, dropping the oldest", () =>
      withRegistry({ maxEventsPerCall: 3 }, async (registry) => {
        for (let i = 1; i <= 5; i++) await registry.recordEvent(sid(1), transcriptEvent(`r${i}`, `Phrase ${i}.`, true, i));
        expect((await registry.events(sid(1))).map((e) => e.key)).toEqual(["event_r3", "event_r4", "event_r5"]);
      }));

    it("keeps at most maxBytesPerCall of a timeline, dropping the oldest and counting them", () =>
      withRegistry({ maxBytesPerCall: 4_096 }, async (registry) => {
        const text = "x".repeat(1_000);
        let dropped = 0;
        for (let i = 1; i <= 20; i++) dropped += (await registry.recordEvent(sid(1), transcriptEvent(`r${i}`, text, true, i))).dropped;
        const kept = await registry.events(sid(1));
        const bytes = kept.reduce((sum, e) => sum + Buffer.byteLength(JSON.stringify(e)), 0);
        expect(bytes).toBeLessThanOrEqual(4_096);
        expect(kept.length).toBe(3);
        expect(kept.map((e) => e.key)).toEqual(["event_r18", "event_r19", "event_r20"]);
        expect(dropped).toBe(17);
        // Replacing an event in place counts its new size, not both.
        await registry.recordEvent(sid(1), transcriptEvent("r20", "short", true, 21));
        await registry.recordEvent(sid(1), transcriptEvent("r21", text, true, 22));
        expect((await registry.events(sid(1))).map((e) => e.key)).toEqual(["event_r18", "event_r19", "event_r20", "event_r21"]);
      }));

    it("keeps timelines for at most maxCallsWithEvents calls, evicting the least recently active", () =>
      withRegistry({ maxCallsWithEvents: 2 }, async (registry) => {
        await registry.recordEvent(sid(1), transcriptEvent("a", "one", true, 1));
        await new Promise((resolve) => setTimeout(resolve, 2));
        await registry.recordEvent(sid(2), transcriptEvent("a", "two", true, 2));
        await new Promise((resolve) => setTimeout(resolve, 2));
        await registry.recordEvent(sid(1), transcriptEvent("b", "one again", true, 3));
        await new Promise((resolve) => setTimeout(resolve, 2));
        await registry.recordEvent(sid(3), transcriptEvent("a", "three", true, 4));
        expect(await registry.events(sid(2))).toEqual([]);
        expect(await registry.events(sid(1))).toHaveLength(2);
        expect(await registry.events(sid(3))).toHaveLength(1);
      }));

    it("keeps text exactly, markup included (escaping is the view's job)", () =>
      withRegistry(undefined, async (registry) => {
        const hostile = `<img src=x onerror=alert(1)> "quoted" & 'single' — ünïcödé`;
        await registry.recordEvent(sid(1), transcriptEvent("h", hostile, true, 1));
        expect((await registry.events(sid(1)))[0]).toMatchObject({ text: hostile });
      }));
  });
}
