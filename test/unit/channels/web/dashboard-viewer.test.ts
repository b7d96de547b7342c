// A dashboard viewer as the call monitor's author tests it with anycable-ts/testing: the
// application module's own default export, built from the environment as the bin builds it.
import { describe, expect, it } from "vitest";
import { signStreamName } from "../../../../src/index.js";
import { createTestCable } from "../../../../src/testing/index.js";
import callMonitorApplication from "../../../../channels/app.js";

const ACCOUNT_SID = "AC0123456789abcdef0123456789abcdef";
const CALL_SID = "CA0123456789abcdef0123456789abcdef";
const SECRET = "dashboard-viewer-test-secret";

const cable = () => createTestCable(callMonitorApplication, { env: { TWILIO_ACCOUNT_SID: ACCOUNT_SID }, cableReadySecret: SECRET });

describe("a dashboard viewer", () => {
  it("connects without Twilio headers, as a viewer", async () => {
    const viewer = await (await cable()).connect({ cookies: { session: "abc" } });
    expect(viewer.connected).toBe(true);
    expect(viewer.identifiers).toEqual({ role: "viewer" });
  });

  it("cannot pose as a call: the twilio subscription is rejected, logged, and nothing is broadcast", async () => {
    const app = await cable();
    const viewer = await app.connect();
    const call = await viewer.subscribe("twilio", { sid: CALL_SID });
    expect(call.rejected).toBe(true);
    expect(call.streams).toEqual([]);
    expect(call.error).toMatch(/^Subscription rejected by \w+/);
    expect(app.logs.map((line) => line.msg)).toEqual(
      expect.arrayContaining([expect.stringMatching(/twilio subscription refused/), call.error]),
    );
    expect(app.broadcasts.all).toEqual([]);
  });

  it("streams the call list through a signed CableReady::Stream name, and not through a forged one", async () => {
    const viewer = await (await cable()).connect();
    const calls = await viewer.subscribe("CableReady::Stream", { identifier: signStreamName("calls", SECRET) });
    expect(calls.confirmed).toBe(true);
    expect(calls.streams).toEqual(["calls"]);

    const forged = await viewer.subscribe("CableReady::Stream", { identifier: signStreamName("calls", "not-the-secret") });
    expect(forged.rejected).toBe(true);
    expect(forged.streams).toEqual([]);
  });
});
