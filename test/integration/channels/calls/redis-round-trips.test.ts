// What a call costs the Redis registry in round trips, read on the wire: a proxy between the
// registry and a real redis-server holds Redis's replies back, and counts what the registry sends
// before any reply. Writes sent one after another's reply would show one command at a time.
import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../../../src/index.js";
import { createTestCable } from "../../../../src/testing/index.js";
import { createCallMonitorApplication } from "../../../../channels/app.js";
import { transcriptEvent } from "../../../../channels/calls/call-event.js";
import { RedisCallRegistry } from "../../../../channels/calls/redis-call-registry.js";
import { startRedis, startReplyHoldingProxy, waitFor, type RedisServer, type ReplyHoldingProxy } from "../../../support/index.js";
import { APP_ENV, CALL_SID, twilioHeaders } from "../../../unit/channels/support/call-monitor-rpc.js";

let redis: RedisServer;
let proxy: ReplyHoldingProxy;
let registry: RedisCallRegistry;

beforeAll(async () => {
  redis = await startRedis();
});

afterAll(async () => {
  await redis?.stop();
});

const newRegistry = async (): Promise<RedisCallRegistry> => {
  proxy = await startReplyHoldingProxy(redis.port);
  registry = new RedisCallRegistry({
    url: `redis://127.0.0.1:${proxy.port}`,
    logger: silentLogger(),
    keyPrefix: `trips-${randomBytes(4).toString("hex")}:`,
    // Longer than any wait here: a held reply must not time a command out and let the next one go.
    commandTimeoutMs: 60_000,
  });
  // Connected and past ioredis's own start-up commands before anything is counted.
  await registry.liveCalls();
  return registry;
};

afterEach(async () => {
  proxy.release();
  await registry?.close();
  await proxy?.close();
});

/** How many scripts the registry has run by digest since `from` (an offset into proxy.sent). */
const scriptsSentSince = (from: number): number => proxy.sent.slice(from).match(/\r\nevalsha\r\n/gi)?.length ?? 0;

describe("the Redis call registry on the wire", () => {
  it("sends a script's text once per connection, then runs it by digest", async () => {
    await newRegistry();
    await registry.recordEvent(CALL_SID, transcriptEvent("r1", "Hello", false, 1));
    await registry.touch(CALL_SID, 2);
    const from = proxy.sent.length;
    await registry.recordEvent(CALL_SID, transcriptEvent("r1", "Hello there.", true, 2));
    await registry.touch(CALL_SID, 3);
    const sent = proxy.sent.slice(from);
    expect(scriptsSentSince(from)).toBe(3);
    expect(sent).not.toMatch(/\r\neval\r\n/i);
    expect(sent).not.toContain("redis.call");
  });

  it("still works after Redis forgot its scripts (a restart or SCRIPT FLUSH)", async () => {
    await newRegistry();
    await registry.recordEvent(CALL_SID, transcriptEvent("r1", "Before.", true, 1));
    const { Redis } = await import("ioredis");
    const admin = new Redis(redis.url);
    try {
      await admin.script("FLUSH");
    } finally {
      admin.disconnect();
    }
    await registry.recordEvent(CALL_SID, transcriptEvent("r2", "After.", true, 2));
    expect((await registry.events(CALL_SID)).map((event) => event.key)).toEqual(["event_r1", "event_r2"]);
  });

  it("records an event and notes the call's activity in the timelines index in one round trip", async () => {
    await newRegistry();
    await registry.recordEvent(CALL_SID, transcriptEvent("r1", "Warm.", true, 1));
    const from = proxy.sent.length;
    proxy.hold();
    const recorded = registry.recordEvent(CALL_SID, transcriptEvent("r2", "Both at once.", true, 2));
    await waitFor(() => scriptsSentSince(from) === 2, { description: "the record and the index update to be sent before any reply" });
    proxy.release();
    expect(await recorded).toEqual({ seq: 2, dropped: 0 });
  });

  it("costs a transcript one round trip (lease renewal, record, index update), and the stream's end one", async () => {
    await newRegistry();
    const cable = await createTestCable(({ env, logger }) => createCallMonitorApplication({ env, logger, registry }), {
      env: { ...APP_ENV, CALL_TRANSCRIPTS_PER_SECOND: "1000" },
    });
    const bridge = await cable.connect({ headers: twilioHeaders() });
    const call = await bridge.subscribe("twilio", { sid: CALL_SID });
    expect(call.status).toBe("success");
    await call.perform("handle_message", { result: { id: "r1", text: "Warm.", final: true, event: "transcript" } });

    const from = proxy.sent.length;
    proxy.hold();
    const performed = call.perform("handle_message", { result: { id: "r2", text: "One trip.", final: true, event: "transcript" } });
    await waitFor(() => scriptsSentSince(from) === 3, { description: "touch, record and index update to be sent before any reply" });
    proxy.release();
    expect((await performed).status).toBe("success");
    expect((await registry.events(CALL_SID)).map((event) => event.key)).toEqual([expect.stringMatching(/^start_/), "event_r1", "event_r2"]);
    expect((await registry.liveCalls()).map((live) => live.sid)).toEqual([CALL_SID]);

    // The stream's end: unlisting the call and recording its end travel together too.
    const fromEnd = proxy.sent.length;
    proxy.hold();
    const ended = bridge.disconnect();
    await waitFor(() => /\r\nexec\r\n/i.test(proxy.sent.slice(fromEnd)) && scriptsSentSince(fromEnd) === 2, {
      description: "the unlisting (MULTI/EXEC) and the end's record and index update to be sent before any reply",
    });
    proxy.release();
    await ended;
    expect(await registry.liveCalls()).toEqual([]);
    expect((await registry.events(CALL_SID)).at(-1)?.kind).toBe("end");
  });
});
