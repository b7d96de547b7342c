// A killed anycable-go sends no Disconnect: the call must still end, on the open page too, once
// its lease runs out (CALL_LEASE_SECONDS), and stay gone after reloads.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, startAnycableGo, type AnycableGo, type HeadlessChromium } from "../support/index.js";
import { startCallMonitorStack, type CallMonitorStack } from "./support/call-monitor-stack.js";
import { count, openDashboard, waitUntilLive, WAIT_MS } from "./support/dashboard-page.js";
import { openTwilioMediaStream } from "./support/twilio-media-stream.js";

const SID = "CA9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d";
const LEASE_SECONDS = 3;

let stack: CallMonitorStack;
let browser: HeadlessChromium;
let restarted: AnycableGo | undefined;

beforeAll(async () => {
  stack = await startCallMonitorStack({ adapter: "redis", lease: { seconds: LEASE_SECONDS, sweepIntervalMs: 250 } });
  browser = await launchChromium();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await restarted?.stop();
  await stack?.stop();
});

describe("a call whose anycable-go was killed", () => {
  it("is ended on the open page after the lease, and is not listed after a reload", { timeout: 60_000 }, async () => {
    const home = await openDashboard(browser.context, `${stack.dashboard.url}/`);
    await waitUntilLive(home.page);
    const media = await openTwilioMediaStream(stack.anycable.url, SID);
    await home.page.waitForSelector(`#calls > #call_${SID}`, { timeout: WAIT_MS });
    await media.call.perform("heartbeat", {});

    // SIGKILL: no Disconnect reaches the RPC server, so nothing says the call stopped.
    const killedAt = Date.now();
    await stack.anycable.process.stop({ signal: "SIGKILL" });
    // The same anycable-go comes back on the same port; the page's client reconnects to it.
    restarted = await startAnycableGo({ rpcHost: `127.0.0.1:${stack.rpc.port}`, args: stack.anycable.args });
    await waitUntilLive(home.page);

    await home.page.waitForSelector(`#call_${SID}`, { state: "detached", timeout: (LEASE_SECONDS + 10) * 1000 });
    expect(Date.now() - killedAt).toBeGreaterThanOrEqual(LEASE_SECONDS * 1000 - 1_500);

    const reloaded = await openDashboard(browser.context, `${stack.dashboard.url}/`);
    expect(await count(reloaded.page, "#calls > li")).toBe(0);
    const callPage = await openDashboard(browser.context, `${stack.dashboard.url}/calls/${SID}`);
    expect(await callPage.page.locator("#status_lost .event-text").first().textContent()).toContain("presumed over");
    expect(home.errors.filter((e) => !/WebSocket/.test(e))).toEqual([]);
  });
});
