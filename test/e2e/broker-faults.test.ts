// No silent loss: while a call streams 25 transcripts a second, the broker (Redis pub/sub, then
// NATS) restarts, or the anycable-go under the page restarts. Publications are lost on the way;
// the page notices (sequence numbers, subscription confirmations, a periodic check) and reloads
// the timeline from the registry, so it ends up showing every transcript, in order.
import { afterEach, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { launchChromium, startAnycableGo, type AnycableGo, type HeadlessChromium } from "../support/index.js";
import { startCallMonitorStack, type CallMonitorStack } from "./support/call-monitor-stack.js";
import { openDashboard, waitUntilLive, WAIT_MS } from "./support/dashboard-page.js";
import { openTwilioMediaStream, type TwilioMediaStream } from "./support/twilio-media-stream.js";

const SID = "CA7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e";
const COUNT = 200; // 8 s at 25/s
const INTERVAL_MS = 40;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

let stack: CallMonitorStack | undefined;
let browser: HeadlessChromium | undefined;
const extra: AnycableGo[] = [];

afterEach(async () => {
  for (const server of extra.splice(0)) await server.stop().catch(() => undefined);
  await browser?.close();
  await stack?.stop();
  browser = undefined;
  stack = undefined;
});

/** Sends COUNT final transcripts at 25/s; `fault` starts after a second and runs alongside. */
async function streamThrough(media: TwilioMediaStream, fault: () => Promise<void>): Promise<void> {
  let faulting: Promise<void> | undefined;
  for (let i = 0; i < COUNT; i++) {
    if (i === 25) faulting = fault();
    void media.transcript(`t${i}`, `Transcript ${i}.`, true).catch(() => undefined);
    await sleep(INTERVAL_MS);
  }
  await faulting;
}

async function transcriptIds(page: Page): Promise<string[]> {
  return page.locator("#events .event-transcript").evaluateAll((elements) => elements.map((element) => element.id));
}

async function expectEveryTranscriptInOrder(page: Page): Promise<void> {
  const expected = Array.from({ length: COUNT }, (_, i) => `event_t${i}`);
  // The periodic check runs every 10 s; a gap seen live is repaired at once.
  await page.waitForFunction((count) => document.querySelectorAll("#events .event-transcript").length >= count, COUNT, {
    timeout: 30_000,
  });
  expect(await transcriptIds(page)).toEqual(expected);
}

async function watchCall(s: CallMonitorStack, b: HeadlessChromium): Promise<Page> {
  const { page } = await openDashboard(b.context, `${s.dashboard.url}/calls/${SID}`);
  await waitUntilLive(page);
  return page;
}

describe("a page rendered before updates it subscribes after", () => {
  it("shows updates published between its render and its subscription", { timeout: 60_000 }, async () => {
    stack = await startCallMonitorStack({ adapter: "nats" });
    browser = await launchChromium();
    const media = await openTwilioMediaStream(stack.anycable.url, SID);
    // The page's WebSocket is held back until the transcripts are out: the page is rendered
    // before them and subscribes after them.
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    const page = await browser.context.newPage();
    await page.routeWebSocket(/\/cable$/, async (ws) => {
      await released;
      ws.connectToServer();
    });
    await page.goto(`${stack.dashboard.url}/calls/${SID}`, { timeout: WAIT_MS });
    expect(await page.locator("#events .event-transcript").count()).toBe(0);
    for (const i of [0, 1, 2]) await media.transcript(`t${i}`, `Transcript ${i}.`, true);
    await sleep(300);
    release();
    await waitUntilLive(page);
    await page.waitForFunction(() => document.querySelectorAll("#events .event-transcript").length === 3, undefined, { timeout: 5_000 });
    expect(await transcriptIds(page)).toEqual(["event_t0", "event_t1", "event_t2"]);
    await media.hangUp();
  });
});

describe("a page watching a call through broker faults", () => {
  it("shows every transcript in order across a Redis restart", { timeout: 90_000 }, async () => {
    stack = await startCallMonitorStack({ adapter: "redis", memoryRegistry: true });
    browser = await launchChromium();
    const redis = stack.redis!;
    const media = await openTwilioMediaStream(stack.anycable.url, SID);
    const page = await watchCall(stack, browser);
    await streamThrough(media, async () => {
      await redis.process.stop();
      await sleep(3_000);
      await redis.restart();
    });
    await expectEveryTranscriptInOrder(page);
    await media.hangUp();
  });

  it("shows every transcript in order across a NATS restart", { timeout: 90_000 }, async () => {
    stack = await startCallMonitorStack({ adapter: "nats-server" });
    browser = await launchChromium();
    const nats = stack.nats!;
    const media = await openTwilioMediaStream(stack.anycable.url, SID);
    const page = await watchCall(stack, browser);
    await streamThrough(media, async () => {
      await nats.process.stop();
      await sleep(3_000);
      await nats.restart();
    });
    await expectEveryTranscriptInOrder(page);
    await media.hangUp();
  });

  it("shows every transcript in order across a restart of the page's anycable-go", { timeout: 90_000 }, async () => {
    stack = await startCallMonitorStack({ adapter: "nats-server" });
    browser = await launchChromium();
    const running = stack;
    // The call streams through its own anycable-go, as a bridge elsewhere would; the page's restarts.
    const headers = running.anycable.args.filter((arg) => arg.startsWith("--headers"));
    const callSide = await startAnycableGo({ rpcHost: `127.0.0.1:${running.rpc.port}`, args: headers });
    extra.push(callSide);
    const media = await openTwilioMediaStream(callSide.url, SID);
    const page = await watchCall(running, browser);
    await streamThrough(media, async () => {
      await running.anycable.stop();
      await sleep(2_000);
      extra.push(await startAnycableGo({ rpcHost: `127.0.0.1:${running.rpc.port}`, args: running.anycable.args }));
    });
    await waitUntilLive(page);
    await expectEveryTranscriptInOrder(page);
    await media.hangUp();
  });
});
