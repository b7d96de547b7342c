// "Place a call" on the dashboard, all the way to words on the screen: the dashboard asks the fake
// Twilio REST API for the call and its media stream (with a per-call token), the fake dials the
// media-stream bridge as Twilio would (signed upgrade, start, a recording of espeak-ng speaking
// known sentences, stop), the bridge recognizes the audio and drives anycable-go, the RPC server
// broadcasts, and Chromium shows it.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../src/index.js";
import { parseRecording } from "../../channels/media-stream/recording.js";
import { recordingPath, recordingSentences } from "../../channels/recordings/repository-recordings.js";
import { PocketsphinxRecognizer } from "../../channels/speech/pocketsphinx/streaming-recognizer.js";
import type { Recognizer } from "../../channels/speech/recognizer.js";
import { startFakeVoskRecognizer, type FakeVoskRecognizer } from "../support/fake-vosk-recognizer.js";
import { launchChromium, type HeadlessChromium } from "../support/index.js";
import { ACCOUNT_SID, startCallMonitorStack, type CallMonitorStack } from "./support/call-monitor-stack.js";
import { openDashboard, waitUntilLive, WAIT_MS, type DashboardPage } from "./support/dashboard-page.js";

const RECORDING = "hello-world";
const SENTENCES = recordingSentences(RECORDING);
const recording = parseRecording(readFileSync(recordingPath(RECORDING), "utf8"), { ACCOUNT_SID });

let browser: HeadlessChromium;

beforeAll(async () => {
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
});

/** Places a call from the form and returns its page once the call is listed as live. */
async function placeCall(stack: CallMonitorStack): Promise<{ viewer: DashboardPage; sid: string }> {
  const viewer = await openDashboard(browser.context, `${stack.dashboard.url}/`);
  const { page } = viewer;
  await waitUntilLive(page);
  await page.fill("#to", "+1 555 123 4567");
  await Promise.all([page.waitForURL(/\/calls\/CA[0-9a-f]{32}$/, { timeout: WAIT_MS }), page.click("button[type=submit]")]);
  const sid = new URL(page.url()).pathname.split("/").pop() ?? "";
  await waitUntilLive(page);
  await page.waitForSelector(`#calls > #call_${sid}`, { timeout: WAIT_MS });
  await page.waitForSelector("#events .event-start", { timeout: WAIT_MS });
  return { viewer, sid };
}

async function finalTexts(viewer: DashboardPage): Promise<string[]> {
  return viewer.page.locator("#events .event-transcript.is-final .event-text").allTextContents();
}

describe("a placed call through the bridge, transcribed by the fake Vosk", () => {
  let speech: FakeVoskRecognizer;
  let stack: CallMonitorStack;

  beforeAll(async () => {
    speech = await startFakeVoskRecognizer(SENTENCES);
    stack = await startCallMonitorStack({ adapter: "nats", bridge: { recognizer: speech.recognizer, recording } });
  }, 90_000);
  afterAll(async () => {
    await stack?.stop();
    await speech?.close();
  });

  it("shows the call, then the recording's exact words, then its end", async () => {
    const { viewer, sid } = await placeCall(stack);
    await viewer.page.waitForFunction(
      (count) => document.querySelectorAll("#events .event-transcript.is-final").length >= count,
      SENTENCES.length,
      {
        timeout: WAIT_MS + recording.durationSeconds * 1000,
      },
    );
    expect(await finalTexts(viewer)).toEqual(SENTENCES);
    await viewer.page.waitForSelector(`#call_${sid}`, { state: "detached", timeout: WAIT_MS });
    await viewer.page.waitForSelector("#events .event-end", { timeout: WAIT_MS });
    const played = await stack.twilioApi.calls.get(sid)?.streams[0]?.played;
    expect(played).toMatchObject({ completed: true, closeCode: 1000 });
    expect(viewer.errors).toEqual([]);
    expect(viewer.dialogs).toEqual([]);
  });
});

describe("a placed call through the bridge, transcribed by pocketsphinx", () => {
  let recognizer: Recognizer;
  let stack: CallMonitorStack;

  beforeAll(async () => {
    recognizer = new PocketsphinxRecognizer({ logger: silentLogger(), pocketsphinx: "pocketsphinx_continuous", sox: "sox" });
    stack = await startCallMonitorStack({ adapter: "nats", bridge: { recognizer, recording } });
  }, 90_000);
  afterAll(async () => {
    await stack?.stop();
    await recognizer?.close();
  });

  it("shows at least one word espeak-ng spoke in the recording", async () => {
    const { viewer, sid } = await placeCall(stack);
    await viewer.page.waitForSelector(`#call_${sid}`, { state: "detached", timeout: WAIT_MS + recording.durationSeconds * 1000 + 10_000 });
    const spoken = new Set(SENTENCES.join(" ").split(/\s+/));
    const heard = (await finalTexts(viewer)).join(" ").toLowerCase().split(/\s+/);
    expect(heard.filter((word) => spoken.has(word))).not.toEqual([]);
  });
});
