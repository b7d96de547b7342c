// POST /calls through the real twilio SDK against a local fake API, and the form around it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../../../support/wait.js";
import { startFakeTwilioApi, type FakeTwilioApi } from "../../../support/fake-twilio-api.js";
import { ACCOUNT_SID } from "../support/call-monitor-rpc.js";
import { testDashboard } from "../support/dashboard.js";

const AUTH_TOKEN = "test-auth-token";
let fake: FakeTwilioApi;
let twilioEnv: NodeJS.ProcessEnv;

beforeAll(async () => {
  fake = await startFakeTwilioApi({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, invalidNumbers: ["+15005550001"] });
  twilioEnv = {
    TWILIO_ACCOUNT_SID: ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: AUTH_TOKEN,
    TWILIO_PHONE_NUMBER: "+15005550006",
    TWILIO_STREAM_URL: "wss://calls.example.test/twilio",
    TWILIO_BRIDGE_SECRET: "dashboard-test-bridge-secret-0123",
    TWILIO_API_BASE_URL: fake.url,
  };
});

afterAll(async () => {
  await fake?.close();
});

describe("POST /calls", () => {
  it("places the call and redirects to its page, where progress is already recorded", async () => {
    const { post, get, dashboard } = await testDashboard(twilioEnv);
    const response = await post("/calls", { to: "+1 (555) 123-4567" });
    expect(response.status).toBe(303);
    const location = response.headers.get("location") ?? "";
    expect(location).toMatch(/^\/calls\/CA[0-9a-f]{32}$/);
    const sid = location.slice("/calls/".length);
    expect(fake.calls.get(sid)?.to).toBe("+15551234567");
    await waitFor(() => (fake.calls.get(sid)?.streams.length ?? 0) > 0, { timeoutMs: 5_000, description: "the media stream request" });
    await dashboard.close();
    const page = await (await get(location)).text();
    expect(page).toContain("Calling +15551234567 from +15005550006");
    expect(page).toContain("Media stream requested");
  });

  it("re-renders the form with Twilio's error instead of failing", async () => {
    const { post } = await testDashboard(twilioEnv);
    const response = await post("/calls", { to: "+15005550001" });
    expect(response.status).toBe(502);
    const page = await response.text();
    expect(page).toContain(
      '<p class="form-error" role="alert">Twilio refused the request: The &#39;To&#39; number +15005550001 is not a valid phone number. (HTTP 400, error 21211)</p>',
    );
    expect(page).toContain('value="+15005550001"');
  });

  it.each([["12345"], ["+0123456"], ["call me maybe"], [""]])("refuses %j as a phone number, keeping what was typed", async (to) => {
    const { post } = await testDashboard(twilioEnv);
    const before = fake.requests.length;
    const response = await post("/calls", { to });
    expect(response.status).toBe(422);
    const page = await response.text();
    expect(page).toContain("Enter the number in international format");
    expect(fake.requests.length).toBe(before);
  });

  it("escapes what was typed when showing it back", async () => {
    const { post } = await testDashboard(twilioEnv);
    const page = await (await post("/calls", { to: '"><script>alert(1)</script>' })).text();
    expect(page).not.toContain("<script>alert(1)");
    expect(page).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
  });

  it("refuses cross-site form posts", async () => {
    const { post } = await testDashboard(twilioEnv);
    const before = fake.requests.length;
    const response = await post("/calls", { to: "+15551234567" }, { origin: "https://evil.example" });
    expect(response.status).toBe(403);
    expect(fake.requests.length).toBe(before);
  });

  it("shows calls as disabled, with the reasons, when Twilio is not configured", async () => {
    const { get, post } = await testDashboard({ ...twilioEnv, TWILIO_AUTH_TOKEN: "", TWILIO_STREAM_URL: "wss://x.example/t?token=1" });
    const page = await (await get("/")).text();
    expect(page).toContain("<fieldset disabled>");
    expect(page).toContain("<li>TWILIO_AUTH_TOKEN is not set</li>");
    expect(page).toContain("<li>TWILIO_STREAM_URL must not have a query string or fragment");
    const response = await post("/calls", { to: "+15551234567" });
    expect(response.status).toBe(422);
    expect(await response.text()).toContain("Calls are disabled");
  });

  it("accepts a same-origin post with the public URL's origin", async () => {
    const { post, dashboard } = await testDashboard({
      ...twilioEnv,
      PUBLIC_URL: "https://calls.example.test",
      DASHBOARD_PASSWORD: "a-long-test-password",
    });
    const before = fake.requests.length;
    const basic = `Basic ${Buffer.from("ops:a-long-test-password").toString("base64")}`;
    const response = await post("/calls", { to: "+15551234567" }, { origin: "https://calls.example.test", authorization: basic });
    expect(response.status).toBe(303);
    await dashboard.close();
    const create = fake.requests.slice(before).find((r) => r.path.endsWith("/Calls.json"));
    expect(create?.form.StatusCallback).toBe("https://calls.example.test/twilio/status");
  });
});

describe("Twilio settings", () => {
  it.each([
    ["TWILIO_ACCOUNT_SID", "SK123", "TWILIO_ACCOUNT_SID must start with"],
    ["TWILIO_PHONE_NUMBER", "555-1234", "TWILIO_PHONE_NUMBER must be an E.164 number"],
    ["TWILIO_STREAM_URL", "ws://calls.example.test/twilio", "TWILIO_STREAM_URL must be a wss:// URL"],
    ["TWILIO_STREAM_URL", "wss://calls.example.test/twilio#x", "TWILIO_STREAM_URL must not have a query string or fragment"],
    ["TWILIO_API_BASE_URL", "ftp://x", "TWILIO_API_BASE_URL must be an http(s) URL"],
    ["TWILIO_BRIDGE_SECRET", "", "TWILIO_BRIDGE_SECRET (or ANYCABLE_SECRET) is not set"],
    ["TWILIO_BRIDGE_SECRET", "short", "TWILIO_BRIDGE_SECRET: must be at least 16 characters"],
  ])("disables calls when %s is %j", async (name, value, reason) => {
    const page = await (await (await testDashboard({ ...twilioEnv, [name]: value })).get("/")).text();
    expect(page).toContain("<fieldset disabled>");
    expect(page).toContain(`<li>${reason}`);
  });

  it("enables calls with a complete configuration", async () => {
    const page = await (await (await testDashboard(twilioEnv)).get("/")).text();
    expect(page).toContain("<fieldset>");
    expect(page).not.toContain("Calls are disabled");
  });
});

describe("request size", () => {
  it("refuses oversized form posts", async () => {
    const { post } = await testDashboard(twilioEnv);
    const response = await post("/calls", { to: "+15551234567", padding: "x".repeat(100_000) });
    expect(response.status).toBe(413);
  });
});
