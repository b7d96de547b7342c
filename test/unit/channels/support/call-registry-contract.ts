// Behaviour every CallRegistry must have; run against memory (unit) and Redis (integration).
import { describe, expect, it } from "vitest";
import { callStartedEvent, statusEvent, transcriptEvent } from "../../../../channels/feed/call-event.js";
import type { CallRegistry, RegistryLimits } from "../../../../channels/registry/call-registry.js";

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
        await registry.callStopped(sid(2));
        expect(await registry.liveCalls()).toEqual([
          { sid: sid(1), startedAt: now - 2_000 },
          { sid: sid(3), startedAt: now },
        ]);
      }));

    it("answers who started a call: a second start of a live call is refused and keeps the first start time", () =>
      withRegistry(undefined, async (registry) => {
        const now = Date.now();
        expect(await registry.callStarted(sid(1), now - 5_000)).toBe(true);
        expect(await registry.callStarted(sid(1), now)).toBe(false);
        expect(await registry.liveCalls()).toEqual([{ sid: sid(1), startedAt: now - 5_000 }]);
        await registry.callStopped(sid(1));
        await registry.callStopped(sid(1));
        await registry.callStopped(sid(9));
        expect(await registry.liveCalls()).toEqual([]);
        expect(await registry.callStarted(sid(1), now)).toBe(true);
      }));

    it("lets a call start again once its earlier start is past liveCallMaxAgeMs", () =>
      withRegistry({ liveCallMaxAgeMs: 60_000 }, async (registry) => {
        const now = Date.now();
        expect(await registry.callStarted(sid(1), now - 120_000)).toBe(true);
        expect(await registry.callStarted(sid(1), now)).toBe(true);
        expect(await registry.liveCalls()).toEqual([{ sid: sid(1), startedAt: now }]);
      }));

    it("keeps at most maxLiveCalls, dropping the oldest", () =>
      withRegistry({ maxLiveCalls: 3 }, async (registry) => {
        const now = Date.now();
        for (let i = 1; i <= 5; i++) await registry.callStarted(sid(i), now - 10_000 + i);
        expect((await registry.liveCalls()).map((c) => c.sid)).toEqual([sid(3), sid(4), sid(5)]);
      }));

    it("drops calls live for longer than liveCallMaxAgeMs (their Disconnect was lost)", () =>
      withRegistry({ liveCallMaxAgeMs: 60_000 }, async (registry) => {
        const now = Date.now();
        await registry.callStarted(sid(1), now - 120_000);
        await registry.callStarted(sid(2), now - 1_000);
        expect((await registry.liveCalls()).map((c) => c.sid)).toEqual([sid(2)]);
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

    it("keeps text exactly, markup included (escaping is the view's job)", () =>
      withRegistry(undefined, async (registry) => {
        const hostile = `<img src=x onerror=alert(1)> "quoted" & 'single' — ünïcödé`;
        await registry.recordEvent(sid(1), transcriptEvent("h", hostile, true, 1));
        expect((await registry.events(sid(1)))[0]).toMatchObject({ text: hostile });
      }));
  });
}
