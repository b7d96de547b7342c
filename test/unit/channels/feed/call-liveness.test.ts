// Calls end when their stream does: heartbeats and transcripts renew a lease, the sweeper ends
// calls whose lease ran out on every open page, and a flood of transcripts is cut off.
import { describe, expect, it } from "vitest";
import { CallFeed } from "../../../../channels/feed/call-feed.js";
import { startLeaseSweeper } from "../../../../channels/feed/lease-sweeper.js";
import { MemoryCallRegistry } from "../../../../channels/calls/memory-call-registry.js";
import { RecordingBroadcaster } from "../../../fixtures/recording-broadcaster.js";
import { captureLogger } from "../../../support/capture-logger.js";
import { callMonitorCable, operationsOn } from "../support/call-monitor-cable.js";
import { APP_ENV, CALL_SID, twilioHeaders } from "../support/call-monitor-rpc.js";

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 5));
const transcript = (id: string, text: string) => ({ result: { id, text, final: true, event: "transcript" } });

async function bridgeOnCall(env: NodeJS.ProcessEnv = APP_ENV) {
  const { cable, registry } = await callMonitorCable(env);
  const twilio = await cable.connect({ headers: twilioHeaders() });
  const call = await twilio.subscribe("twilio", { sid: CALL_SID });
  expect(call.confirmed).toBe(true);
  return { cable, registry, call };
}

describe("the twilio channel's heartbeat", () => {
  it("renews the call's lease", async () => {
    const { registry, call } = await bridgeOnCall();
    const before = (await registry.liveCalls())[0]?.lastSeenAt ?? 0;
    await tick();
    const response = await call.perform("heartbeat");
    expect(response.status).toBe("success");
    expect((await registry.liveCalls())[0]?.lastSeenAt).toBeGreaterThan(before);
  });

  it("lists a call again when its stream beats but the call is not listed (e.g. swept while stalled)", async () => {
    const { cable, registry, call } = await bridgeOnCall();
    await registry.callStopped(CALL_SID);
    cable.broadcasts.clear();
    await call.perform("heartbeat");
    expect((await registry.liveCalls()).map((c) => c.sid)).toEqual([CALL_SID]);
    expect(operationsOn(cable.broadcasts, "calls")).toMatchObject([{ operation: "upsertHtml", id: `call_${CALL_SID}` }]);
  });

  it("is refused to a browser", async () => {
    const { cable, registry } = await callMonitorCable();
    const viewer = await cable.connect();
    const attempt = await viewer.subscribe("twilio", { sid: CALL_SID });
    expect(attempt.rejected).toBe(true);
    const response = await attempt.perform("heartbeat");
    expect(response.status).toBe("error");
    expect(await registry.liveCalls()).toEqual([]);
  });

  it("renews the lease with every transcript too, blank partials included", async () => {
    const { registry, call } = await bridgeOnCall();
    const before = (await registry.liveCalls())[0]?.lastSeenAt ?? 0;
    await tick();
    await call.perform("handle_message", transcript("a", " "));
    expect((await registry.liveCalls())[0]?.lastSeenAt).toBeGreaterThan(before);
  });
});

describe("transcript rate limit", () => {
  it("drops transcripts beyond CALL_TRANSCRIPTS_PER_SECOND for a call, with one warning", async () => {
    const { cable, registry, call } = await bridgeOnCall({ ...APP_ENV, CALL_TRANSCRIPTS_PER_SECOND: "5" });
    for (let i = 0; i < 20; i++) await call.perform("handle_message", transcript(`r${i}`, `Phrase ${i}.`));
    const recorded = (await registry.events(CALL_SID)).filter((e) => e.kind === "transcript");
    expect(recorded.map((e) => e.key)).toEqual(["event_r0", "event_r1", "event_r2", "event_r3", "event_r4"]);
    const warnings = cable.logs.filter((line) => line.msg.includes("over the rate limit"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ callSid: CALL_SID, perSecond: 5 });
  });
});

describe("ending silent calls", () => {
  const LEASE = 120_000;
  const sid = (n: number): string => `CA${n.toString(16).padStart(32, "0")}`;

  function setup() {
    let now = 1_000_000;
    const registry = new MemoryCallRegistry({ leaseMs: LEASE }, () => now);
    const broadcaster = new RecordingBroadcaster();
    const { logger, lines } = captureLogger();
    const feed = new CallFeed({ registry, broadcaster, logger, now: () => now });
    return { registry, broadcaster, feed, lines, advance: (ms: number) => (now += ms), now: () => now };
  }

  it("ends a call with no sign of life within the lease on every page, once, and keeps a live one", async () => {
    const { registry, broadcaster, feed, lines, advance, now } = setup();
    await feed.callStarted(sid(1));
    await feed.callStarted(sid(2));
    advance(LEASE - 1_000);
    await feed.callAlive(sid(2), false);
    advance(2_000);
    await feed.broadcastsHandedOver();
    broadcaster.publications.length = 0;
    expect(await feed.endSilentCalls(now() - LEASE)).toEqual([sid(1)]);
    await feed.broadcastsHandedOver();
    expect((await registry.liveCalls()).map((c) => c.sid)).toEqual([sid(2)]);
    expect(operationsOn(broadcaster, "calls")).toEqual([{ operation: "remove", selector: `#call_${sid(1)}` }]);
    const [lost] = operationsOn(broadcaster, `call_${sid(1)}`);
    expect(lost).toMatchObject({ operation: "upsertHtml", id: "status_lost" });
    expect(String(lost?.html)).toContain("presumed over");
    expect(lines.filter((l) => l.msg.includes("no sign of life"))).toMatchObject([{ callSid: sid(1) }]);
    expect(await feed.endSilentCalls(now() - LEASE)).toEqual([]);
  });

  it("sweeps calls left live by an earlier run at start-up", async () => {
    const { registry, feed, advance } = setup();
    await registry.callStarted(sid(7), 1_000_000);
    advance(LEASE * 10);
    const { logger } = captureLogger();
    const sweeper = startLeaseSweeper({ feed, leaseMs: LEASE, logger, intervalMs: 60_000 });
    await sweeper.started;
    await sweeper.stop();
    expect(await registry.silentCalls(Number.MAX_SAFE_INTEGER)).toEqual([]);
    expect((await registry.events(sid(7))).map((e) => e.key)).toEqual(["status_lost"]);
  });
});
