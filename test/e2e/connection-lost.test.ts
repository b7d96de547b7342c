// What a person sees when the WebSocket server goes away under an open dashboard.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, REPO_ROOT, type HeadlessChromium } from "../support/index.js";
import { startCallMonitorStack, type CallMonitorStack } from "./support/call-monitor-stack.js";
import { openDashboard, waitUntilLive, WAIT_MS } from "./support/dashboard-page.js";

let stack: CallMonitorStack;
let browser: HeadlessChromium;

beforeAll(async () => {
  stack = await startCallMonitorStack({ adapter: "nats" });
  browser = await launchChromium();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe("when anycable-go goes away", () => {
  it("keeps the page and says live updates are paused while it reconnects", async ({ annotate }) => {
    const { page, errors } = await openDashboard(browser.context, `${stack.dashboard.url}/`);
    await waitUntilLive(page);
    expect(await page.locator("#connection-banner").isHidden()).toBe(true);

    await stack.anycable.stop();

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
});
