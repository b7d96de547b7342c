import { describe, expect, it } from "vitest";
import { signStreamName } from "../../../../src/index.js";
import { callStartedEvent, transcriptEvent } from "../../../../channels/calls/call-event.js";
import { CALL_SID } from "../support/call-monitor-rpc.js";
import { SECRET, testDashboard } from "../support/dashboard.js";

const streamTag = (name: string) => `<cable-ready-stream-from identifier="${signStreamName(name, SECRET)}"></cable-ready-stream-from>`;

describe("dashboard pages", () => {
  it("answers /health", async () => {
    const { get } = await testDashboard();
    const response = await get("/health");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok" });
  });

  it("renders the live calls on / with the cable URL and the signed calls stream", async () => {
    const { get, registry } = await testDashboard();
    const startedAt = Date.now() - 60_000;
    await registry.callStarted(CALL_SID, startedAt);
    const response = await get("/");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    const page = await response.text();
    expect(page).toContain('<meta name="cable-url" content="ws://cable.example.test/cable">');
    expect(page).toContain(streamTag("calls"));
    expect(page).toContain(
      `<ul id="calls" data-resync-url="/live-calls"><li id="call_${CALL_SID}" class="call"><a href="/calls/${CALL_SID}">`,
    );
    const iso = new Date(startedAt).toISOString();
    expect(page).toContain(`<time datetime="${iso}" data-local-time>${iso.slice(11, 19)} UTC</time>`);
    expect(page).not.toContain('id="events"');
    expect(page).toMatch(/<script defer src="\/assets\/call-monitor\.js\?v=[0-9a-f]{12}"><\/script>/);
  });

  it("renders an empty list with no whitespace, so the “no live calls” note shows", async () => {
    const page = await (await (await testDashboard()).get("/")).text();
    expect(page).toContain('<ul id="calls" data-resync-url="/live-calls"></ul>');
  });

  it("renders a call's events, escaped, with its signed stream", async () => {
    const { get, registry } = await testDashboard();
    await registry.recordEvent(CALL_SID, callStartedEvent(1_000));
    await registry.recordEvent(CALL_SID, transcriptEvent("r1", "<img src=x onerror=alert(1)>", true, 2_000));
    await registry.recordEvent(CALL_SID, transcriptEvent("r2", "still talk", false, 3_000));
    const response = await get(`/calls/${CALL_SID}`);
    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page).toContain(streamTag(`call_${CALL_SID}`));
    expect(page).toContain(streamTag("calls"));
    expect(page).toContain("Call started");
    expect(page).toContain(
      '<article id="event_r1" class="event event-transcript is-final"><p class="event-text">&lt;img src=x onerror=alert(1)&gt;</p>',
    );
    expect(page).toContain('<article id="event_r2" class="event event-transcript is-partial">');
    expect(page).not.toContain("<img");
    expect(page).toContain(`<style>#call_${CALL_SID} a {`);
  });

  it.each([
    [`/calls/${CALL_SID.toUpperCase()}`],
    [`/calls/${CALL_SID}x`],
    ["/calls/%3Cscript%3Ealert(1)%3C%2Fscript%3E"],
    ["/no-such-page"],
  ])("answers %s with a 404 page", async (path) => {
    const response = await (await testDashboard()).get(path);
    expect(response.status).toBe(404);
    const page = await response.text();
    expect(page).toContain("<h1>Not found</h1>");
    expect(page).not.toContain("<script>alert");
  });

  it("sends a Content-Security-Policy that allows only our script and the cable", async () => {
    const response = await (await testDashboard()).get("/");
    const csp = response.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self' ws://cable.example.test");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("serves the client bundle, cacheable for good when versioned", async () => {
    const { get } = await testDashboard();
    const page = await (await get("/")).text();
    const src = /src="(\/assets\/call-monitor\.js\?v=[0-9a-f]+)"/.exec(page)?.[1] ?? "";
    const response = await get(src);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(response.headers.get("cache-control")).toContain("immutable");
    expect((await response.text()).length).toBeGreaterThan(1_000);
    expect((await get("/assets/call-monitor.js")).headers.get("cache-control")).toBe("no-cache");
  });

  it("still renders when the registry is down", async () => {
    const { get, registry } = await testDashboard();
    registry.liveCalls = () => Promise.reject(new Error("Redis is down"));
    registry.events = () => Promise.reject(new Error("Redis is down"));
    expect((await get("/")).status).toBe(200);
    expect((await get(`/calls/${CALL_SID}`)).status).toBe(200);
  });
});

describe("dashboard configuration", () => {
  it("refuses to start without a Cable Ready secret, saying how to fix it", async () => {
    await expect(testDashboard({ ANYCABLE_CABLE_READY_SECRET: "" })).rejects.toThrow(
      /ANYCABLE_CABLE_READY_SECRET.*--cable_ready --cable_ready_secret/s,
    );
  });

  it("accepts the secret from ANYCABLE_SECRET, as anycable-go does", async () => {
    const { get } = await testDashboard({ ANYCABLE_CABLE_READY_SECRET: "", ANYCABLE_SECRET: "other" });
    expect(await (await get("/")).text()).toContain(signStreamName("calls", "other"));
  });

  it("refuses a CABLE_URL that is not a WebSocket URL", async () => {
    await expect(testDashboard({ CABLE_URL: "http://localhost:8080/cable" })).rejects.toThrow(
      /CABLE_URL: must be a ws:\/\/ or wss:\/\/ URL/,
    );
  });

  it("refuses a bad PORT", async () => {
    await expect(testDashboard({ PORT: "eighty" })).rejects.toThrow(/PORT/);
  });
});
