// What a person sees when the WebSocket server goes away under an open dashboard, and when it
// comes back. Each test starts with anycable-go running, whatever the one before did to it.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { launchChromium, REPO_ROOT, startAnycableGo, type AnycableGo, type HeadlessChromium } from "../support/index.js";
import { startCallMonitorStack, type CallMonitorStack } from "./support/call-monitor-stack.js";
import { openDashboard, waitUntilLive, WAIT_MS } from "./support/dashboard-page.js";
import { openTwilioMediaStream } from "./support/twilio-media-stream.js";

const CALL_SID = "CA0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e";
/** The page's client backs off between reconnect attempts; coming back may take a few rounds. */
const RECONNECT_MS = 40_000;

let stack: CallMonitorStack;
let browser: HeadlessChromium;
/** The anycable-go running now: the stack's first one, or the one a test started in its place. */
let anycable: AnycableGo;

beforeAll(async () => {
  stack = await startCallMonitorStack({ adapter: "nats" });
  anycable = stack.anycable;
  browser = await launchChromium();
}, 90_000);

beforeEach(async () => {
  if (!anycable.process.isRunning()) anycable = await restartAnycable();
});

afterAll(async () => {
  await browser?.close();
  if (anycable !== stack?.anycable) await anycable?.stop();
  await stack?.stop();
});

/** The same anycable-go again: same flags, so same port, embedded NATS address and RPC server. */
function restartAnycable(): Promise<AnycableGo> {
  return startAnycableGo({ args: [...stack.anycable.args] });
}

describe("when anycable-go goes away", () => {
  it("keeps the page and says live updates are paused while it reconnects", async ({ annotate }) => {
    const { page, errors } = await openDashboard(browser.context, `${stack.dashboard.url}/`);
    await waitUntilLive(page);
    expect(await page.locator("#connection-banner").isHidden()).toBe(true);

    await anycable.stop();

    const banner = page.locator("#connection-banner");
    await banner.waitFor({ state: "visible", timeout: WAIT_MS });
    expect(await banner.textContent()).toBe(`Live updates paused — reconnecting to ${stack.anycable.url}…`);
    expect(await page.locator("#live-status").textContent()).toBe("Offline");
    expect(await page.locator("#live-status").getAttribute("data-state")).toBe("disconnected");
    // The page itself is still there and usable.
    expect(await page.locator("#calls").count()).toBe(1);
    expect(await page.locator("#to").isEnabled()).toBe(true);

    const screenshot = join(REPO_ROOT, "tmp", "screenshots", "dashboard-connection-lost.png");
    mkdirSync(join(REPO_ROOT, "tmp", "screenshots"), { recursive: true });
    await page.screenshot({ path: screenshot });
    await annotate(`dashboard with the connection lost: ${screenshot}`);
    // Reconnect attempts fail at the socket level; the page's own scripts must not throw.
    expect(errors.filter((e) => !/WebSocket/i.test(e))).toEqual([]);
  });

  it("comes back live when anycable-go is back, and live updates reach the page again", { timeout: 120_000 }, async () => {
    const { page, errors } = await openDashboard(browser.context, `${stack.dashboard.url}/`);
    await waitUntilLive(page);
    await anycable.stop();
    const banner = page.locator("#connection-banner");
    await banner.waitFor({ state: "visible", timeout: WAIT_MS });

    anycable = await restartAnycable();
    await page.waitForFunction(() => document.getElementById("live-status")?.textContent === "Live", undefined, {
      timeout: RECONNECT_MS,
    });
    await waitUntilLive(page);
    // The page says it is back, not silently live as if nothing had been missed.
    expect(await banner.textContent()).toMatch(/^Back online/);

    // A call that starts now reaches the page through the new anycable-go (and its new NATS).
    const media = await openTwilioMediaStream(anycable.url, CALL_SID);
    await page.waitForSelector(`#calls > #call_${CALL_SID}`, { timeout: RECONNECT_MS });
    await media.hangUp();
    await page.waitForSelector(`#call_${CALL_SID}`, { state: "detached", timeout: WAIT_MS });
    expect(errors.filter((e) => !/WebSocket/i.test(e))).toEqual([]);
  });
});
