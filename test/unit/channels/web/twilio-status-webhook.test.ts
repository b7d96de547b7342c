import twilio from "twilio";
import { describe, expect, it } from "vitest";
import { CALL_SID } from "../support/call-monitor-rpc.js";
import { testDashboard } from "../support/dashboard.js";

const AUTH_TOKEN = "test-auth-token";
const PUBLIC_URL = "https://calls.example.test";
const DASHBOARD_PASSWORD = "a-long-test-password";

function signed(params: Record<string, string>, url = `${PUBLIC_URL}/twilio/status`, token = AUTH_TOKEN): Record<string, string> {
  return { "x-twilio-signature": twilio.getExpectedTwilioSignature(token, url, params) };
}

// Twilio stamps callbacks in RFC 2822 and numbers each call's callbacks from 0.
const stamp = (ms = Date.now()): string => new Date(ms).toUTCString().replace("GMT", "+0000");
const ringing = {
  CallSid: CALL_SID,
  CallStatus: "ringing",
  AccountSid: "AC123",
  Direction: "outbound-api",
  SequenceNumber: "1",
  Timestamp: stamp(),
};

describe("POST /twilio/status", () => {
  it("records a correctly signed status in the call's timeline and pushes it to its page", async () => {
    const { post, registry, broadcaster } = await testDashboard({ TWILIO_AUTH_TOKEN: AUTH_TOKEN, PUBLIC_URL, DASHBOARD_PASSWORD });
    const response = await post("/twilio/status", ringing, signed(ringing));
    expect(response.status).toBe(204);
    expect(await registry.events(CALL_SID)).toEqual([{ kind: "status", key: "status_ringing", at: expect.any(Number), text: "Ringing…" }]);
    expect(broadcaster.all.map((p) => p.stream)).toEqual([`call_${CALL_SID}`]);
  });

  it("takes a finished call off the live list", async () => {
    const { post, registry, broadcaster } = await testDashboard({ TWILIO_AUTH_TOKEN: AUTH_TOKEN, PUBLIC_URL, DASHBOARD_PASSWORD });
    await registry.callStarted(CALL_SID, Date.now());
    const completed = { ...ringing, CallStatus: "completed", CallDuration: "12", SequenceNumber: "3" };
    expect((await post("/twilio/status", completed, signed(completed))).status).toBe(204);
    expect(await registry.liveCalls()).toEqual([]);
    const calls = broadcaster.all.find((p) => p.stream === "calls");
    expect(JSON.parse(calls?.data ?? "{}").operations).toEqual([{ operation: "remove", selector: `#call_${CALL_SID}` }]);
  });

  it("refuses a replayed callback (409) and records it only once", async () => {
    const { post, registry } = await testDashboard({ TWILIO_AUTH_TOKEN: AUTH_TOKEN, PUBLIC_URL, DASHBOARD_PASSWORD });
    expect((await post("/twilio/status", ringing, signed(ringing))).status).toBe(204);
    expect((await post("/twilio/status", ringing, signed(ringing))).status).toBe(409);
    expect(await registry.events(CALL_SID)).toHaveLength(1);
  });

  it("does not let a replayed or out-of-date `completed` end a live call", async () => {
    const { post, registry, broadcaster } = await testDashboard({ TWILIO_AUTH_TOKEN: AUTH_TOKEN, PUBLIC_URL, DASHBOARD_PASSWORD });
    const completed = { ...ringing, CallStatus: "completed", SequenceNumber: "3" };
    expect((await post("/twilio/status", completed, signed(completed))).status).toBe(204);
    // The same call SID streams again (Twilio re-opened its stream): a replay must not end it.
    await registry.callStarted(CALL_SID, Date.now());
    const published = broadcaster.all.length;
    expect((await post("/twilio/status", completed, signed(completed))).status).toBe(409);
    const older = { ...completed, SequenceNumber: "2" };
    expect((await post("/twilio/status", older, signed(older))).status).toBe(409);
    expect((await registry.liveCalls()).map((c) => c.sid)).toEqual([CALL_SID]);
    expect(broadcaster.all).toHaveLength(published);
  });

  it.each([
    ["an hour old", Date.now() - 3600_000],
    ["an hour in the future", Date.now() + 3600_000],
  ])("refuses a signed callback stamped %s, whatever its sequence number", async (_label, at) => {
    const { post, registry } = await testDashboard({ TWILIO_AUTH_TOKEN: AUTH_TOKEN, PUBLIC_URL, DASHBOARD_PASSWORD });
    await registry.callStarted(CALL_SID, Date.now());
    const old = { ...ringing, CallStatus: "completed", SequenceNumber: "99", Timestamp: stamp(at) };
    expect((await post("/twilio/status", old, signed(old))).status).toBe(409);
    expect((await registry.liveCalls()).map((c) => c.sid)).toEqual([CALL_SID]);
  });

  it("answers 400 to a signed callback without SequenceNumber or Timestamp", async () => {
    const { post } = await testDashboard({ TWILIO_AUTH_TOKEN: AUTH_TOKEN, PUBLIC_URL, DASHBOARD_PASSWORD });
    const { SequenceNumber: _s, ...noSequence } = ringing;
    const { Timestamp: _t, ...noTimestamp } = ringing;
    expect((await post("/twilio/status", noSequence, signed(noSequence))).status).toBe(400);
    expect((await post("/twilio/status", noTimestamp, signed(noTimestamp))).status).toBe(400);
  });

  it.each([
    ["no signature", {}],
    ["a signature made with another token", signed(ringing, `${PUBLIC_URL}/twilio/status`, "other-token")],
    ["a signature for another URL", signed(ringing, "https://elsewhere.example/twilio/status")],
    ["a signature for other parameters", signed({ ...ringing, CallStatus: "completed" })],
    ["a garbage signature", { "x-twilio-signature": "not-base64!!" }],
  ])("refuses a webhook with %s (403) and records nothing", async (_label, headers) => {
    const { post, registry, broadcaster } = await testDashboard({ TWILIO_AUTH_TOKEN: AUTH_TOKEN, PUBLIC_URL, DASHBOARD_PASSWORD });
    const response = await post("/twilio/status", ringing, headers);
    expect(response.status).toBe(403);
    expect(await registry.events(CALL_SID)).toEqual([]);
    expect(broadcaster.all).toEqual([]);
  });

  it("checks the signature against PUBLIC_URL's default, http://localhost:<PORT>", async () => {
    const { post } = await testDashboard({ TWILIO_AUTH_TOKEN: AUTH_TOKEN, PORT: "4321" });
    const response = await post("/twilio/status", ringing, signed(ringing, "http://localhost:4321/twilio/status"));
    expect(response.status).toBe(204);
  });

  it("refuses every webhook when TWILIO_AUTH_TOKEN is unset", async () => {
    const { post } = await testDashboard({ PUBLIC_URL, DASHBOARD_PASSWORD });
    expect((await post("/twilio/status", ringing, signed(ringing))).status).toBe(403);
  });

  it("answers 400 to a signed webhook without a valid CallSid", async () => {
    const { post } = await testDashboard({ TWILIO_AUTH_TOKEN: AUTH_TOKEN, PUBLIC_URL, DASHBOARD_PASSWORD });
    const bad = { CallSid: "CA-nope", CallStatus: "ringing" };
    expect((await post("/twilio/status", bad, signed(bad))).status).toBe(400);
  });
});
