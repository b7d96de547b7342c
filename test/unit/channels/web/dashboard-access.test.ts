// Who may use the dashboard: sign-in, Host and Origin rules, the call rate and destinations.
import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../../../src/index.js";
import { loadDashboardConfig } from "../../../../channels/web/dashboard-config.js";
import { MemoryCallRegistry } from "../../../../channels/calls/memory-call-registry.js";
import { startDashboard } from "../../../../channels/web/server.js";
import { safeNextPath } from "../../../../channels/web/access/require-sign-in.js";
import { checkDestination, parseDestinationPolicy } from "../../../../channels/twilio/destination-policy.js";
import { startFakeTwilioApi, type FakeTwilioApi } from "../../../support/fake-twilio-api.js";
import { ACCOUNT_SID } from "../support/call-monitor-rpc.js";
import { ORIGIN, SECRET, testDashboard } from "../support/dashboard.js";

const PASSWORD = "correct horse battery staple";
const PUBLIC = "https://calls.example.test";
const basic = (password: string, user = "monitoring"): string => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

let fake: FakeTwilioApi;
let twilioEnv: NodeJS.ProcessEnv;

beforeAll(async () => {
  fake = await startFakeTwilioApi({ accountSid: ACCOUNT_SID, authToken: "test-auth-token" });
  twilioEnv = {
    TWILIO_ACCOUNT_SID: ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: "test-auth-token",
    TWILIO_PHONE_NUMBER: "+15005550006",
    TWILIO_STREAM_URL: "wss://calls.example.test/twilio",
    TWILIO_API_BASE_URL: fake.url,
    // placing a call mints its stream token with the bridge secret; without one, calls are off
    TWILIO_BRIDGE_SECRET: "unit-test-bridge-secret-0123456789",
  };
});

afterAll(async () => {
  await fake?.close();
});

function createCalls(since: number): number {
  return fake.requests.slice(since).filter((r) => r.method === "POST" && r.path.endsWith("/Calls.json")).length;
}

/** A raw HTTP request, so the Host header is exactly what an attacker's browser would send. */
function rawRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? "GET", headers: options.headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end(options.body);
  });
}

describe("configuration", () => {
  const base = { ANYCABLE_CABLE_READY_SECRET: SECRET };

  it("needs no password on a loopback-only dashboard (npm start's default)", () => {
    expect(loadDashboardConfig(base).access.password).toBeUndefined();
  });

  it.each([
    ["bound beyond loopback", { HOST: "0.0.0.0" }],
    ["published under a public URL (a tunnel to loopback)", { PUBLIC_URL: PUBLIC }],
  ])("refuses to start without DASHBOARD_PASSWORD when %s", (_label, env) => {
    expect(() => loadDashboardConfig({ ...base, ...env })).toThrow(/DASHBOARD_PASSWORD: required/);
  });

  it("refuses a short password", () => {
    expect(() => loadDashboardConfig({ ...base, PUBLIC_URL: PUBLIC, DASHBOARD_PASSWORD: "short" })).toThrow(/at least 12 characters/);
  });

  it("derives the Host allow-list and the origin from the configuration", () => {
    const { access } = loadDashboardConfig({
      ...base,
      PUBLIC_URL: PUBLIC,
      DASHBOARD_PASSWORD: PASSWORD,
      DASHBOARD_ALLOWED_HOSTS: "Internal.lan",
    });
    expect([...access.allowedHosts].sort()).toEqual(
      ["127.0.0.1", "::1", "[::1]", "calls.example.test", "internal.lan", "localhost"].sort(),
    );
    expect([...access.allowedOrigins]).toEqual([PUBLIC]);
    expect(access.acceptLoopbackOrigin).toBe(false);
    expect(access.secureCookies).toBe(true);
  });

  it("refuses a malformed destination list", () => {
    expect(() => loadDashboardConfig({ ...base, TWILIO_ALLOWED_DESTINATIONS: "+44, uk" })).toThrow(
      /TWILIO_ALLOWED_DESTINATIONS: expected E.164/,
    );
  });
});

describe("DNS rebinding", () => {
  it("refuses a rebinding request: foreign Host with a matching Origin and Sec-Fetch-Site: same-origin", async () => {
    const registry = new MemoryCallRegistry();
    await registry.callStarted("CA" + "a".repeat(32), Date.now());
    const running = await startDashboard({
      env: { ANYCABLE_CABLE_READY_SECRET: SECRET, PORT: "0", ...twilioEnv },
      logger: silentLogger(),
      registry,
    });
    try {
      const before = fake.requests.length;
      const evil = `evil.example:${running.port}`;
      const post = await rawRequest(`${running.url}/calls`, {
        method: "POST",
        headers: {
          host: evil,
          origin: `http://${evil}`,
          "sec-fetch-site": "same-origin",
          "content-type": "application/x-www-form-urlencoded",
        },
        body: "to=%2B15551234567",
      });
      expect(post.status).toBe(421);
      expect(createCalls(before)).toBe(0);

      const page = await rawRequest(`${running.url}/`, { headers: { host: evil, accept: "text/html" } });
      expect(page.status).toBe(421);
      expect(page.body).not.toContain("cable-ready-stream-from");
      expect(page.body).not.toContain("CA" + "a".repeat(32));

      // The same page under the dashboard's own name is served.
      const own = await rawRequest(`${running.url}/`, { headers: { host: `localhost:${running.port}`, accept: "text/html" } });
      expect(own.status).toBe(200);
      expect(own.body).toContain("cable-ready-stream-from");
      // The health check answers whatever name a load balancer uses.
      expect((await rawRequest(`${running.url}/health`, { headers: { host: "10.0.0.7" } })).status).toBe(200);
    } finally {
      await running.close();
      await registry.close();
    }
  });

  it("compares Origin with the configured origin, not one built from Host", async () => {
    const { app } = (await testDashboard({ ...twilioEnv, DASHBOARD_ALLOWED_HOSTS: "other.lan" })).dashboard;
    const before = fake.requests.length;
    const response = await app.request("http://other.lan:3000/calls", {
      method: "POST",
      headers: { origin: "http://other.lan:3000", "content-type": "application/x-www-form-urlencoded" },
      body: "to=%2B15551234567",
    });
    expect(response.status).toBe(403);
    expect(createCalls(before)).toBe(0);
  });
});

describe("development (no PUBLIC_URL, no password)", () => {
  it("accepts a post from the dashboard's own loopback page but not from another local port", async () => {
    const { post, dashboard } = await testDashboard(twilioEnv);
    const before = fake.requests.length;
    expect((await post("/calls", { to: "+15551234567" }, { origin: "http://localhost:9999" })).status).toBe(403);
    expect((await post("/calls", { to: "+15551234567" }, { origin: ORIGIN })).status).toBe(303);
    await dashboard.close();
    expect(createCalls(before)).toBe(1);
  });
});

describe("sign-in", () => {
  const env = (): NodeJS.ProcessEnv => ({ ...twilioEnv, PUBLIC_URL: PUBLIC, DASHBOARD_PASSWORD: PASSWORD });
  const form = { "content-type": "application/x-www-form-urlencoded" };

  it("sends a browser without a session to the sign-in form, and a script a Basic challenge", async () => {
    const { dashboard } = await testDashboard(env());
    const page = await dashboard.app.request(`${ORIGIN}/calls/CA${"0".repeat(32)}?x=1`, { headers: { accept: "text/html" } });
    expect(page.status).toBe(303);
    expect(page.headers.get("location")).toBe(`/sign-in?next=${encodeURIComponent(`/calls/CA${"0".repeat(32)}?x=1`)}`);
    const script = await dashboard.app.request(`${ORIGIN}/`);
    expect(script.status).toBe(401);
    expect(script.headers.get("www-authenticate")).toMatch(/^Basic realm="Call monitor"/);
    expect(await script.text()).not.toContain("cable-ready-stream-from");
  });

  it("guards the resync endpoints too (they list calls and transcripts)", async () => {
    const { dashboard } = await testDashboard(env());
    for (const path of [`/calls/CA${"0".repeat(32)}/events`, "/live-calls"]) {
      expect((await dashboard.app.request(`${ORIGIN}${path}`)).status).toBe(401);
      expect((await dashboard.app.request(`${ORIGIN}${path}`, { headers: { authorization: basic(PASSWORD) } })).status).toBe(200);
    }
  });

  it("refuses to place a call without signing in", async () => {
    const { post } = await testDashboard(env());
    const before = fake.requests.length;
    const response = await post("/calls", { to: "+15551234567" }, { origin: PUBLIC });
    expect(response.status).toBe(401);
    expect(createCalls(before)).toBe(0);
  });

  it("accepts HTTP Basic with any user name and the password, and nothing else", async () => {
    const { dashboard } = await testDashboard(env());
    const ok = await dashboard.app.request(`${ORIGIN}/`, { headers: { authorization: basic(PASSWORD, "anyone") } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain("cable-ready-stream-from");
    expect((await dashboard.app.request(`${ORIGIN}/`, { headers: { authorization: basic(`${PASSWORD}x`) } })).status).toBe(401);
    expect((await dashboard.app.request(`${ORIGIN}/`, { headers: { authorization: basic("") } })).status).toBe(401);
  });

  it("signs in with the form: a signed, HttpOnly, SameSite=Strict, Secure __Host- cookie that opens the pages", async () => {
    const { dashboard } = await testDashboard(env());
    const wrong = await dashboard.app.request(`${ORIGIN}/sign-in`, {
      method: "POST",
      headers: { ...form, origin: PUBLIC },
      body: new URLSearchParams({ password: "nope", next: "/" }).toString(),
    });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("set-cookie")).toBeNull();

    const right = await dashboard.app.request(`${ORIGIN}/sign-in`, {
      method: "POST",
      headers: { ...form, origin: PUBLIC },
      body: new URLSearchParams({ password: PASSWORD, next: "/calls/CA" + "1".repeat(32) }).toString(),
    });
    expect(right.status).toBe(303);
    expect(right.headers.get("location")).toBe("/calls/CA" + "1".repeat(32));
    const cookie = right.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^__Host-dashboard_session=/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Secure/);
    const session = cookie.split(";")[0] ?? "";
    expect((await dashboard.app.request(`${ORIGIN}/`, { headers: { cookie: session } })).status).toBe(200);

    // A cookie whose value was changed (e.g. a later expiry) fails its signature.
    const [name, value] = session.split("=") as [string, string];
    const tampered = `${name}=${encodeURIComponent(`9${decodeURIComponent(value)}`)}`;
    expect((await dashboard.app.request(`${ORIGIN}/`, { headers: { cookie: tampered } })).status).toBe(401);
  });

  it("refuses a sign-in form posted from another origin (login CSRF)", async () => {
    const { dashboard } = await testDashboard(env());
    const response = await dashboard.app.request(`${ORIGIN}/sign-in`, {
      method: "POST",
      headers: { ...form, origin: "https://evil.example" },
      body: new URLSearchParams({ password: PASSWORD }).toString(),
    });
    expect(response.status).toBe(403);
  });

  it("throttles wrong passwords, refusing even the right one until the minute has passed", async () => {
    const { dashboard } = await testDashboard(env());
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      const r = await dashboard.app.request(`${ORIGIN}/`, { headers: { authorization: basic(`guess-${i}-xxxxxxxx`) } });
      statuses.push(r.status);
    }
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses[10]).toBe(429);
    const right = await dashboard.app.request(`${ORIGIN}/`, { headers: { authorization: basic(PASSWORD) } });
    expect(right.status).toBe(429);
    expect(Number(right.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("only redirects to local paths after signing in", () => {
    expect(safeNextPath("/calls/x")).toBe("/calls/x");
    for (const bad of ["//evil.example/", "/\\evil.example", "https://evil.example/", "javascript:alert(1)", undefined, ""]) {
      expect(safeNextPath(bad)).toBe("/");
    }
  });
});

describe("placing calls", () => {
  it("rate-limits a burst: 20 posts, DASHBOARD_CALLS_PER_MINUTE=5 calls placed", async () => {
    const { post, dashboard } = await testDashboard({ ...twilioEnv, DASHBOARD_CALLS_PER_MINUTE: "5" });
    const before = fake.requests.length;
    const statuses = await Promise.all(Array.from({ length: 20 }, () => post("/calls", { to: "+15551234567" }).then((r) => r.status)));
    await dashboard.close();
    expect(statuses.filter((s) => s === 303)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(15);
    expect(createCalls(before)).toBe(5);
  });

  it("refuses a premium satellite number by default", async () => {
    const { post } = await testDashboard(twilioEnv);
    const before = fake.requests.length;
    const response = await post("/calls", { to: "+881631234567" });
    expect(response.status).toBe(422);
    expect(await response.text()).toContain("premium-rate or satellite range");
    expect(createCalls(before)).toBe(0);
  });

  it("calls only listed destinations when TWILIO_ALLOWED_DESTINATIONS is set", async () => {
    const { post, dashboard } = await testDashboard({ ...twilioEnv, TWILIO_ALLOWED_DESTINATIONS: "+44, +1 555 123" });
    const before = fake.requests.length;
    expect((await post("/calls", { to: "+15559999999" })).status).toBe(422);
    expect((await post("/calls", { to: "+15551234567" })).status).toBe(303);
    await dashboard.close();
    expect(createCalls(before)).toBe(1);
  });

  it("allows a costly range only when it is listed on purpose", () => {
    const open = parseDestinationPolicy(undefined);
    const listed = parseDestinationPolicy("+8816");
    if (!open.ok || !listed.ok) throw new Error("unexpected");
    expect(checkDestination(open.policy, "+19005551234").ok).toBe(false);
    expect(checkDestination(open.policy, "+447012345678").ok).toBe(false);
    expect(checkDestination(open.policy, "+447912345678").ok).toBe(true);
    expect(checkDestination(listed.policy, "+881631234567").ok).toBe(true);
    expect(checkDestination(listed.policy, "+15551234567").ok).toBe(false);
  });
});
