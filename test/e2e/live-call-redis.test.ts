// The same call as live-call-nats.test.ts with Redis in the middle: broadcasts go through
// Redis pub/sub (anycable-go --broadcast_adapter=redis) and the RPC side and the dashboard each
// have their own Redis registry client, as separate `npm run rpc` / `npm run web` processes would.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, type HeadlessChromium } from "../support/index.js";
import { startCallMonitorStack, type CallMonitorStack } from "./support/call-monitor-stack.js";
import { count, openDashboard, waitForText, waitUntilLive, WAIT_MS, type DashboardPage } from "./support/dashboard-page.js";
import { openTwilioMediaStream, type TwilioMediaStream } from "./support/twilio-media-stream.js";

const SID = "CA0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e";
const HOSTILE = `<script>alert("x")</script><img src=x onerror=alert(1)>`;

let stack: CallMonitorStack;
let browser: HeadlessChromium;
let home: DashboardPage;
let media: TwilioMediaStream;

beforeAll(async () => {
  stack = await startCallMonitorStack({ adapter: "redis" });
  browser = await launchChromium();
}, 90_000);

afterAll(async () => {
  await media?.hangUp().catch(() => undefined);
  await browser?.close();
  await stack?.stop();
});

describe("a live call on the dashboard (Redis broadcasting and registry)", () => {
  it("adds the call to the list of an open page when its media stream subscribes", async () => {
    home = await openDashboard(browser.context, `${stack.dashboard.url}/`);
    await waitUntilLive(home.page);
    expect(await count(home.page, "#calls > li")).toBe(0);
    media = await openTwilioMediaStream(stack.anycable.url, SID);
    await home.page.waitForSelector(`#calls > #call_${SID}`, { timeout: WAIT_MS });
  });

  it("opens the call from the list and shows its start, then its transcript live", async () => {
    const { page } = home;
    await Promise.all([page.waitForURL(`**/calls/${SID}`, { timeout: WAIT_MS }), page.click(`#call_${SID} a`)]);
    // Rendered from the registry the RPC side wrote to, through another Redis client.
    expect(await page.locator("#events .event-start .event-text").textContent()).toBe("Call started");
    await waitUntilLive(page);

    await media.transcript("p1", "Good", false);
    await media.transcript("p1", "Good morning", false);
    await media.transcript("p1", "Good morning, this is Dana.", true);
    await waitForText(page, "#event_p1 .event-text", "Good morning, this is Dana.");
    expect(await count(page, "#event_p1")).toBe(1);
    expect(await page.locator("#event_p1").getAttribute("class")).toContain("is-final");
  });

  it("shows hostile text literally", async () => {
    const { page, dialogs } = home;
    await media.transcript("p2", HOSTILE, true);
    await page.waitForSelector("#event_p2", { timeout: WAIT_MS });
    expect(await page.locator("#event_p2 .event-text").textContent()).toBe(HOSTILE);
    expect(await count(page, "#events img, #events script")).toBe(0);
    expect(dialogs).toEqual([]);
  });

  it("takes the call off the list and shows “Call stopped” on hang-up", async () => {
    const { page } = home;
    await media.hangUp();
    await page.waitForSelector(`#call_${SID}`, { state: "detached", timeout: WAIT_MS });
    await page.waitForSelector("#events .event-end", { timeout: WAIT_MS });
    expect(await page.locator("#events .event-end .event-text").textContent()).toBe("Call stopped");
    expect(home.dialogs).toEqual([]);
    expect(home.errors).toEqual([]);
  });

  it("no longer lists the call on a fresh page load", async () => {
    const { page } = await openDashboard(browser.context, `${stack.dashboard.url}/`);
    expect(await count(page, "#calls > li")).toBe(0);
    await page.close();
  });
});
