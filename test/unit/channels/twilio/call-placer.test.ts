// Placing calls with the real `twilio` SDK against a local fake of its REST API.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { silentLogger } from "../../../../src/index.js";
import type { TwilioRestConfig } from "../../../../channels/config/twilio-rest-config.js";
import { CallFeed } from "../../../../channels/feed/call-feed.js";
import { MemoryCallRegistry } from "../../../../channels/calls/memory-call-registry.js";
import { CallPlacer } from "../../../../channels/twilio/call-placer.js";
import { RecordingBroadcaster } from "../../../fixtures/recording-broadcaster.js";
import { startFakeTwilioApi, type FakeTwilioApi } from "../../../support/fake-twilio-api.js";
import { StreamTokens } from "../../../../channels/credentials/stream-token.js";
import { ACCOUNT_SID, BRIDGE_SECRET } from "../support/call-monitor-rpc.js";

const AUTH_TOKEN = "test-auth-token";
const FROM = "+15005550006";
const TO = "+15551234567";

let fake: FakeTwilioApi;
let registry: MemoryCallRegistry;
let broadcaster: RecordingBroadcaster;

function config(overrides: Partial<TwilioRestConfig> = {}): TwilioRestConfig {
  return {
    accountSid: ACCOUNT_SID,
    authToken: AUTH_TOKEN,
    phoneNumber: FROM,
    streamUrl: "wss://calls.example.test/twilio",
    bridgeSecret: BRIDGE_SECRET,
    phrase: "Testing, one two three.",
    apiBaseUrl: fake.url,
    ...overrides,
  };
}

function placer(overrides: Partial<TwilioRestConfig> = {}, answerTimeoutMs = 5_000): CallPlacer {
  const feed = new CallFeed({ registry, broadcaster, logger: silentLogger() });
  return new CallPlacer({
    config: config(overrides),
    feed,
    logger: silentLogger(),
    statusCallbackUrl: undefined,
    attach: { pollIntervalMs: 10, answerTimeoutMs },
  });
}

async function startFake(statuses?: string[]): Promise<void> {
  fake = await startFakeTwilioApi({
    accountSid: ACCOUNT_SID,
    authToken: AUTH_TOKEN,
    invalidNumbers: ["+15005550001"],
    ...(statuses ? { statuses } : {}),
  });
}

beforeEach(() => {
  registry = new MemoryCallRegistry();
  broadcaster = new RecordingBroadcaster();
});

afterEach(async () => {
  await fake?.close();
});

describe("placing a call", () => {
  it("creates the call with TwiML, waits for an answer, then streams both tracks to our URL", async () => {
    await startFake(["ringing", "ringing", "in-progress"]);
    const calls = placer();
    const result = await calls.place(TO);
    if (!result.ok) throw new Error(result.message);
    expect(await result.streamAttached).toEqual({ kind: "attached", streamSid: expect.stringMatching(/^MZ[0-9a-f]{32}$/) });
    await calls.close();

    const [create] = fake.requests;
    expect(create).toMatchObject({
      method: "POST",
      path: `/2010-04-01/Accounts/${ACCOUNT_SID}/Calls.json`,
      auth: { username: ACCOUNT_SID, password: AUTH_TOKEN },
      contentType: "application/x-www-form-urlencoded",
    });
    expect(create?.form).toMatchObject({ To: TO, From: FROM, Timeout: "30" });
    expect(create?.form.Twiml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Pause length="2"/><Say>Testing, one two three.</Say><Pause length="20"/><Hangup/></Response>',
    );
    expect(create?.form.StatusCallback).toBeUndefined();

    const call = fake.calls.get(result.sid);
    expect(call?.streams).toEqual([
      {
        sid: expect.any(String),
        url: "wss://calls.example.test/twilio",
        track: "both_tracks",
        parameters: { streamToken: expect.any(String) },
      },
    ]);
    // The token the bridge will check at start: minted for this call with the bridge secret.
    const tokens = new StreamTokens(BRIDGE_SECRET);
    expect(tokens.verify(result.sid, call?.streams[0]?.parameters.streamToken)).toBe("valid");
    expect(tokens.verify("CAffffffffffffffffffffffffffffffff", call?.streams[0]?.parameters.streamToken)).toBe("invalid");
    expect(fake.requests.filter((r) => r.method === "GET")).toHaveLength(3);

    const events = await registry.events(result.sid);
    expect(events.map((e) => e.key)).toEqual(["status_placed", "status_ringing", "status_in-progress", "status_stream"]);
    expect(events[0]).toMatchObject({ text: `Calling ${TO} from ${FROM}` });
    // Progress is pushed to the call's page too.
    expect(broadcaster.all.every((p) => p.stream === `call_${result.sid}`)).toBe(true);
  });

  it("asks Twilio for status callbacks when it has a public URL", async () => {
    await startFake();
    const feed = new CallFeed({ registry, broadcaster, logger: silentLogger() });
    const calls = new CallPlacer({
      config: config(),
      feed,
      logger: silentLogger(),
      statusCallbackUrl: "https://calls.example.test/twilio/status",
      attach: { pollIntervalMs: 10 },
    });
    const result = await calls.place(TO);
    await calls.close();
    expect(result.ok).toBe(true);
    expect(fake.requests[0]?.form).toMatchObject({
      StatusCallback: "https://calls.example.test/twilio/status",
      StatusCallbackMethod: "POST",
      StatusCallbackEvent: "completed",
    });
  });

  it("reports Twilio's refusal (RestException) as a message, without throwing", async () => {
    await startFake();
    const result = await placer().place("+15005550001");
    expect(result).toEqual({
      ok: false,
      message: "Twilio refused the request: The 'To' number +15005550001 is not a valid phone number. (HTTP 400, error 21211)",
    });
    expect(fake.calls.size).toBe(0);
  });

  it("reports wrong credentials", async () => {
    await startFake();
    const result = await placer({ authToken: "wrong" }).place(TO);
    expect(result).toEqual({ ok: false, message: "Twilio refused the request: Authenticate (HTTP 401, error 20003)" });
  });

  it("reports an unreachable API", async () => {
    await startFake();
    const url = fake.url;
    await fake.close();
    const result = await placer({ apiBaseUrl: url }).place(TO);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(/^Could not reach Twilio: .*ECONNREFUSED/);
  });

  it("stops waiting when the call ends unanswered, and says so on the timeline", async () => {
    await startFake(["ringing", "no-answer"]);
    const calls = placer();
    const result = await calls.place(TO);
    if (!result.ok) throw new Error(result.message);
    expect(await result.streamAttached).toEqual({ kind: "ended", status: "no-answer" });
    await calls.close();
    expect(fake.calls.get(result.sid)?.streams).toEqual([]);
    const events = await registry.events(result.sid);
    expect(events.at(-1)).toMatchObject({ key: "status_no-answer", text: "No answer" });
  });

  it("gives up after the answer timeout", async () => {
    await startFake(["ringing"]);
    const calls = placer({}, 200);
    const result = await calls.place(TO);
    if (!result.ok) throw new Error(result.message);
    expect(await result.streamAttached).toEqual({ kind: "timed-out", lastStatus: "ringing" });
    await calls.close();
    expect((await registry.events(result.sid)).at(-1)).toMatchObject({ key: "status_stream-timeout" });
  });

  it("reports a refused stream on the timeline", async () => {
    await startFake();
    const calls = placer({ streamUrl: "ws://not-secure.example.test/twilio" });
    const result = await calls.place(TO);
    if (!result.ok) throw new Error(result.message);
    expect(await result.streamAttached).toBeUndefined();
    await calls.close();
    expect((await registry.events(result.sid)).at(-1)).toMatchObject({
      key: "status_stream-failed",
      text: "Could not start the media stream: Twilio refused the request: Invalid Url (HTTP 400, error 31941)",
    });
  });

  it("stops following calls on close", async () => {
    await startFake(["ringing"]);
    const calls = placer({}, 60_000);
    const result = await calls.place(TO);
    if (!result.ok) throw new Error(result.message);
    await calls.close();
    expect(await result.streamAttached).toBeUndefined();
  });
});
