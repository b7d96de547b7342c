// A person watching the dashboard in Chromium while a call happens, everything real except
// Twilio: anycable-go (embedded NATS, Cable Ready signed streams), the RPC server, the dashboard,
// and a Node client speaking for the media-stream bridge (account header and bridge credential),
// so each test picks its transcripts. bridge-call.test.ts runs the real bridge end to end.
// Every test sets up its own call and pages, and hangs up and closes them after, so any one of
// them runs alone (-t) or in any order with the same result.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { connectCable, createCableClient, REPO_ROOT, SubscriptionRejectedError } from "../support/index.js";
import { count, waitForText, waitUntilLive, WAIT_MS, type DashboardPage } from "./support/dashboard-page.js";
import { useLiveDashboard } from "./support/live-dashboard.js";
import type { TwilioMediaStream } from "./support/twilio-media-stream.js";
import { randomCallSid as newSid } from "../../channels/calls/call-sid.js";

const HOSTILE = "<img src=x onerror=alert(1)>";
const SCREENSHOT = join(REPO_ROOT, "tmp", "screenshots", "dashboard-mid-call.png");

const live = useLiveDashboard({ adapter: "nats" }, { viewport: { width: 1280, height: 860 } });
const { open, mediaStream } = live;

/** A call in progress with its page open and live, as a viewer would have it. */
async function watchedCall(): Promise<{ sid: string; viewer: DashboardPage; media: TwilioMediaStream }> {
  const sid = newSid();
  const viewer = await open(`/calls/${sid}`);
  await waitUntilLive(viewer.page);
  const media = await mediaStream(sid);
  await viewer.page.waitForSelector("#events .event-start", { timeout: WAIT_MS });
  return { sid, viewer, media };
}

describe("a live call on the dashboard (NATS broadcasting)", () => {
  it("places a call from the form and lands on its page, which follows the call's progress live", async () => {
    const { page } = await open("/");
    await waitUntilLive(page);
    expect(await page.locator("#live-status").textContent()).toBe("Live");

    await page.fill("#to", "+1 555 123 4567");
    await Promise.all([page.waitForURL(/\/calls\/CA[0-9a-f]{32}$/, { timeout: WAIT_MS }), page.click("button[type=submit]")]);
    const sid = new URL(page.url()).pathname.split("/").pop() ?? "";
    expect(live.stack.twilioApi.calls.get(sid)?.to).toBe("+15551234567");
    expect(await page.locator("#status_placed .event-text").textContent()).toBe("Calling +15551234567 from +15005550006");

    await waitUntilLive(page);
    // The fake answers on the second poll; the dashboard then asks for the media stream and
    // pushes that step to this page over its call stream.
    await page.waitForSelector("#status_stream", { timeout: WAIT_MS });
    expect(live.stack.twilioApi.calls.get(sid)?.streams).toEqual([
      {
        sid: expect.any(String),
        url: "wss://calls.example.test/twilio",
        track: "both_tracks",
        parameters: { streamToken: expect.any(String) },
      },
    ]);
  });

  it("shows Twilio's refusal on the form instead of an error page", async () => {
    const { page, errors } = await open("/");
    await page.fill("#to", "+15005550001");
    await Promise.all([page.waitForLoadState("domcontentloaded"), page.click("button[type=submit]")]);
    await page.waitForSelector(".form-error", { timeout: WAIT_MS });
    expect(await page.locator(".form-error").textContent()).toBe(
      "Twilio refused the request: The 'To' number +15005550001 is not a valid phone number. (HTTP 400, error 21211)",
    );
    expect(await page.inputValue("#to")).toBe("+15005550001");
    // The browser reports the form's error status on its console; that one is expected.
    expect(errors.splice(0)).toEqual([expect.stringMatching(/^Failed to load resource: the server responded with a status of \d{3}/)]);
  });

  it("lists the call and shows “Call started” when its media stream subscribes", async () => {
    const sid = newSid();
    const { page } = await open(`/calls/${sid}`);
    await waitUntilLive(page);
    expect(await count(page, `#call_${sid}`)).toBe(0);
    await mediaStream(sid);
    await page.waitForSelector(`#calls > #call_${sid}`, { timeout: WAIT_MS });
    expect(await page.locator(`#call_${sid} a`).getAttribute("href")).toBe(`/calls/${sid}`);
    await page.waitForSelector("#events .event-start", { timeout: WAIT_MS });
    expect(await page.locator("#events .event-start .event-text").textContent()).toBe("Call started");
  });

  it("replaces partial transcripts with the final one, one element per result", async () => {
    const { viewer, media } = await watchedCall();
    const { page } = viewer;
    await media.transcript("r1", "Hi, I'm calling", false);
    await media.transcript("r1", "Hi, I'm calling about my", false);
    await waitForText(page, "#event_r1 .event-text", "Hi, I'm calling about my");
    expect(await page.locator("#event_r1").getAttribute("class")).toBe("event event-transcript is-partial");
    await media.transcript("r1", "Hi, I'm calling about my order from last week.", true);
    await waitForText(page, "#event_r1 .event-text", "Hi, I'm calling about my order from last week.");
    expect(await page.locator("#event_r1").getAttribute("class")).toBe("event event-transcript is-final");
    expect(await count(page, "#event_r1")).toBe(1);

    await media.recognizerError("recognizer stream timed out");
    await media.transcript("r2", "It hasn't arrived yet.", true);
    await waitForText(page, "#event_r2 .event-text", "It hasn't arrived yet.");
    expect(await count(page, "#event_r1")).toBe(1);
    expect(await page.locator("#events").textContent()).not.toContain("recognizer stream timed out");
  });

  it("shows every live call and the transcript in progress side by side mid-call (screenshot saved)", async ({ annotate }) => {
    const { sid, viewer, media } = await watchedCall();
    const { page } = viewer;
    const other = newSid();
    await mediaStream(other);
    await page.waitForSelector(`#calls > #call_${other}`, { timeout: WAIT_MS });
    await media.transcript("r3", "Could you tell me where", false);
    await waitForText(page, "#event_r3 .event-text", "Could you tell me where");
    expect(await count(page, `#calls > #call_${sid}`)).toBe(1);
    // The call list and the call's events are both on screen and do not cover each other.
    const calls = await page.locator("#calls").boundingBox();
    const events = await page.locator("#events").boundingBox();
    expect(calls && events).toBeTruthy();
    if (calls && events) {
      for (const box of [calls, events]) expect(box.width * box.height).toBeGreaterThan(0);
      const apart =
        calls.x + calls.width <= events.x ||
        events.x + events.width <= calls.x ||
        calls.y + calls.height <= events.y ||
        events.y + events.height <= calls.y;
      expect(apart, `#calls ${JSON.stringify(calls)} and #events ${JSON.stringify(events)} overlap`).toBe(true);
    }
    expect(await page.locator("#event_r3 .event-text").isVisible()).toBe(true);
    mkdirSync(join(REPO_ROOT, "tmp", "screenshots"), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    await annotate(`dashboard mid-call screenshot: ${SCREENSHOT}`);
  });

  it("shows hostile transcript text literally, without running it", async () => {
    const { viewer, media } = await watchedCall();
    const { page, dialogs } = viewer;
    await media.transcript("h1", HOSTILE, true);
    await page.waitForSelector("#event_h1", { timeout: WAIT_MS });
    expect(await page.locator("#event_h1 .event-text").textContent()).toBe(HOSTILE);
    expect(await count(page, "#events img")).toBe(0);
    expect(await count(page, "img")).toBe(0);
    expect(dialogs).toEqual([]);
  });

  it("renders the same call from the registry on a fresh page load, without duplicates", async () => {
    const { sid, viewer, media } = await watchedCall();
    await media.transcript("r1", "Hi, I'm calling about my order from last week.", true);
    await media.transcript("h1", HOSTILE, true);
    await waitForText(viewer.page, "#event_h1 .event-text", HOSTILE);

    const { page } = await open(`/calls/${sid}`);
    expect(await count(page, `#calls > #call_${sid}`)).toBe(1);
    expect(await page.locator("#event_r1 .event-text").textContent()).toBe("Hi, I'm calling about my order from last week.");
    expect(await page.locator("#event_h1 .event-text").textContent()).toBe(HOSTILE);
    expect(await count(page, "img")).toBe(0);
    await waitUntilLive(page);
    await media.transcript("r3", "Could you tell me where it is now?", true);
    await waitForText(page, "#event_r3 .event-text", "Could you tell me where it is now?");
    expect(await count(page, "#event_r3")).toBe(1);
  });

  it("removes the call from the list and shows “Call stopped” on hang-up, leaving other calls listed", async () => {
    const { sid, viewer, media } = await watchedCall();
    const { page } = viewer;
    const other = newSid();
    await mediaStream(other);
    await page.waitForSelector(`#calls > #call_${other}`, { timeout: WAIT_MS });
    await media.hangUp();
    await page.waitForSelector(`#call_${sid}`, { state: "detached", timeout: WAIT_MS });
    await page.waitForSelector("#events .event-end", { timeout: WAIT_MS });
    expect(await page.locator("#events .event-end .event-text").textContent()).toBe("Call stopped");
    expect(await count(page, `#call_${other}`)).toBe(1);
  });
});

describe("who may act as a call", () => {
  it("rejects the browser's own attempt to subscribe as a call", async () => {
    const { page, errors } = await open("/");
    await waitUntilLive(page);
    const outcome = await page.evaluate(
      (callSid) =>
        new Promise<string>((resolve) => {
          type Consumer = { subscriptions: { create(params: object, mixin: object): unknown } };
          const consumer = (window as unknown as { CableReady: { consumer: Consumer } }).CableReady.consumer;
          consumer.subscriptions.create(
            { channel: "twilio", sid: callSid },
            { connected: () => resolve("confirmed"), rejected: () => resolve("rejected") },
          );
          setTimeout(() => resolve("no answer"), 5_000);
        }),
      newSid(),
    );
    expect(outcome).toBe("rejected");
    // @anycable/web logs the rejection it just reported; nothing else went wrong on the page.
    expect(errors.splice(0)).toEqual([expect.stringMatching(/^failed to subscribe .*Rejected/)]);
  });

  it("disconnects a client presenting the right Twilio account but no bridge credential", async () => {
    const client = createCableClient(live.stack.anycable.url, { headers: { "x-twilio-account": "AC5e2e0123456789abcdef0123456789ab" } });
    expect((await client.waitDisconnected()).reason).toBe("unauthorized");
    await client.close();
  });

  it("rejects a subscription from a client without the Twilio header", async () => {
    const client = await connectCable(live.stack.anycable.url);
    await expect(client.subscribe("twilio", { sid: newSid() })).rejects.toBeInstanceOf(SubscriptionRejectedError);
    await client.close();
  });

  it("disconnects a client presenting the wrong Twilio account", async () => {
    const client = createCableClient(live.stack.anycable.url, { headers: { "x-twilio-account": "AC5e2e0123456789abcdef0123456789aB" } });
    const ended = await client.waitDisconnected();
    expect(ended.reason).toBe("unauthorized");
    expect(client.frames).toContainEqual({ type: "disconnect", reason: "unauthorized", reconnect: false });
    await client.close();
  });
});
