// A person watching the dashboard in Chromium while a call happens, everything real except
// Twilio: anycable-go (embedded NATS, Cable Ready signed streams), the RPC server, the dashboard,
// and a Node client speaking for the media-stream bridge (account header and bridge credential),
// so each test picks its transcripts. bridge-call.test.ts runs the real bridge end to end.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  connectCable,
  createCableClient,
  launchChromium,
  REPO_ROOT,
  SubscriptionRejectedError,
  type HeadlessChromium,
} from "../support/index.js";
import { startCallMonitorStack, type CallMonitorStack } from "./support/call-monitor-stack.js";
import { count, openDashboard, waitForText, waitUntilLive, WAIT_MS, type DashboardPage } from "./support/dashboard-page.js";
import { openTwilioMediaStream, type TwilioMediaStream } from "./support/twilio-media-stream.js";

const HOSTILE = "<img src=x onerror=alert(1)>";
const OTHER_CALL = "CA7c1e2d3f4a5b6c7d8e9f0a1b2c3d4e5f";
const SCREENSHOT = join(REPO_ROOT, "tmp", "screenshots", "dashboard-mid-call.png");

let stack: CallMonitorStack;
let browser: HeadlessChromium;
let viewer: DashboardPage;
let sid: string;
let media: TwilioMediaStream;
let otherMedia: TwilioMediaStream;

beforeAll(async () => {
  stack = await startCallMonitorStack({ adapter: "nats" });
  browser = await launchChromium({ viewport: { width: 1280, height: 860 } });
}, 90_000);

afterAll(async () => {
  await media?.hangUp().catch(() => undefined);
  await otherMedia?.hangUp().catch(() => undefined);
  await browser?.close();
  await stack?.stop();
});

describe("a live call on the dashboard (NATS broadcasting)", () => {
  it("places a call from the form and lands on its page, which follows the call's progress live", async () => {
    viewer = await openDashboard(browser.context, `${stack.dashboard.url}/`);
    const { page } = viewer;
    await waitUntilLive(page);
    expect(await page.locator("#live-status").textContent()).toBe("Live");

    await page.fill("#to", "+1 555 123 4567");
    await Promise.all([page.waitForURL(/\/calls\/CA[0-9a-f]{32}$/, { timeout: WAIT_MS }), page.click("button[type=submit]")]);
    sid = new URL(page.url()).pathname.split("/").pop() ?? "";
    expect(stack.twilioApi.calls.get(sid)?.to).toBe("+15551234567");
    expect(await page.locator("#status_placed .event-text").textContent()).toBe("Calling +15551234567 from +15005550006");

    await waitUntilLive(page);
    // The fake answers on the second poll; the dashboard then asks for the media stream and
    // pushes that step to this page over its call stream.
    await page.waitForSelector("#status_stream", { timeout: WAIT_MS });
    expect(stack.twilioApi.calls.get(sid)?.streams).toEqual([
      {
        sid: expect.any(String),
        url: "wss://calls.example.test/twilio",
        track: "both_tracks",
        parameters: { streamToken: expect.any(String) },
      },
    ]);
  });

  it("shows Twilio's refusal on the form instead of an error page", async () => {
    const { page } = await openDashboard(browser.context, `${stack.dashboard.url}/`);
    await page.fill("#to", "+15005550001");
    await Promise.all([page.waitForLoadState("domcontentloaded"), page.click("button[type=submit]")]);
    await page.waitForSelector(".form-error", { timeout: WAIT_MS });
    expect(await page.locator(".form-error").textContent()).toBe(
      "Twilio refused the request: The 'To' number +15005550001 is not a valid phone number. (HTTP 400, error 21211)",
    );
    expect(await page.inputValue("#to")).toBe("+15005550001");
    await page.close();
  });

  it("lists the call and shows “Call started” when its media stream subscribes", async () => {
    const { page } = viewer;
    media = await openTwilioMediaStream(stack.anycable.url, sid);
    await page.waitForSelector(`#calls > #call_${sid}`, { timeout: WAIT_MS });
    expect(await page.locator(`#call_${sid} a`).getAttribute("href")).toBe(`/calls/${sid}`);
    await page.waitForSelector("#events .event-start", { timeout: WAIT_MS });
    expect(await page.locator("#events .event-start .event-text").textContent()).toBe("Call started");
  });

  it("replaces partial transcripts with the final one, one element per result", async () => {
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

  it("looks right mid-call (screenshot)", async ({ annotate }) => {
    const { page } = viewer;
    otherMedia = await openTwilioMediaStream(stack.anycable.url, OTHER_CALL);
    await page.waitForSelector(`#call_${OTHER_CALL}`, { timeout: WAIT_MS });
    await media.transcript("r3", "Could you tell me where", false);
    await waitForText(page, "#event_r3 .event-text", "Could you tell me where");
    mkdirSync(join(REPO_ROOT, "tmp", "screenshots"), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    await annotate(`dashboard mid-call screenshot: ${SCREENSHOT}`);
  });

  it("shows hostile transcript text literally, without running it", async () => {
    const { page, dialogs } = viewer;
    await media.transcript("h1", HOSTILE, true);
    await page.waitForSelector("#event_h1", { timeout: WAIT_MS });
    expect(await page.locator("#event_h1 .event-text").textContent()).toBe(HOSTILE);
    expect(await count(page, "#events img")).toBe(0);
    expect(await count(page, "img")).toBe(0);
    expect(dialogs).toEqual([]);
  });

  it("renders the same call from the registry on a fresh page load, without duplicates", async () => {
    const { page } = await openDashboard(browser.context, `${stack.dashboard.url}/calls/${sid}`);
    expect(await count(page, `#calls > #call_${sid}`)).toBe(1);
    expect(await count(page, `#calls > #call_${OTHER_CALL}`)).toBe(1);
    expect(await page.locator("#event_r1 .event-text").textContent()).toBe("Hi, I'm calling about my order from last week.");
    expect(await page.locator("#event_h1 .event-text").textContent()).toBe(HOSTILE);
    expect(await count(page, "img")).toBe(0);
    await waitUntilLive(page);
    await media.transcript("r3", "Could you tell me where it is now?", true);
    await waitForText(page, "#event_r3 .event-text", "Could you tell me where it is now?");
    expect(await count(page, "#event_r3")).toBe(1);
    await page.close();
  });

  it("removes the call from the list and shows “Call stopped” on hang-up", async () => {
    const { page } = viewer;
    await media.hangUp();
    await page.waitForSelector(`#call_${sid}`, { state: "detached", timeout: WAIT_MS });
    await page.waitForSelector("#events .event-end", { timeout: WAIT_MS });
    expect(await page.locator("#events .event-end .event-text").textContent()).toBe("Call stopped");
    expect(await count(page, `#call_${OTHER_CALL}`)).toBe(1);
  });

  it("keeps the page free of script errors and dialogs throughout", () => {
    expect(viewer.dialogs).toEqual([]);
    expect(viewer.errors).toEqual([]);
  });
});

describe("who may act as a call", () => {
  it("rejects the browser's own attempt to subscribe as a call", async () => {
    const { page } = viewer;
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
      OTHER_CALL,
    );
    expect(outcome).toBe("rejected");
  });

  it("disconnects a client presenting the right Twilio account but no bridge credential", async () => {
    const client = createCableClient(stack.anycable.url, { headers: { "x-twilio-account": "AC5e2e0123456789abcdef0123456789ab" } });
    expect((await client.waitDisconnected()).reason).toBe("unauthorized");
    await client.close();
  });

  it("rejects a subscription from a client without the Twilio header", async () => {
    const client = await connectCable(stack.anycable.url);
    await expect(client.subscribe("twilio", { sid: OTHER_CALL })).rejects.toBeInstanceOf(SubscriptionRejectedError);
    await client.close();
  });

  it("disconnects a client presenting the wrong Twilio account", async () => {
    const client = createCableClient(stack.anycable.url, { headers: { "x-twilio-account": "AC5e2e0123456789abcdef0123456789aB" } });
    const ended = await client.waitDisconnected();
    expect(ended.reason).toBe("unauthorized");
    expect(client.frames).toContainEqual({ type: "disconnect", reason: "unauthorized", reconnect: false });
    await client.close();
  });
});
