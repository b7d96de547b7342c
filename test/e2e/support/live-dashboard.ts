// The setup both live-call files share: the call monitor stack and a headless Chromium for the
// whole file, and for each test the pages it opened and the media streams it started, hung up
// and closed after it, with no page allowed to have thrown or shown a dialog. Every test thus
// sets up its own call and pages, so any one of them runs alone (-t) or in any order.
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import { launchChromium, type HeadlessChromium } from "../../support/index.js";
import { startCallMonitorStack, type CallMonitorStack, type StackOptions } from "./call-monitor-stack.js";
import { openDashboard, type DashboardPage } from "./dashboard-page.js";
import { openTwilioMediaStream, type TwilioMediaStream } from "./twilio-media-stream.js";

export interface LiveDashboard {
  /** The running stack (from beforeAll on). */
  readonly stack: CallMonitorStack;
  /** Opens a dashboard path (e.g. `/calls/CA…`) in a new page, closed after the test. */
  open(path: string): Promise<DashboardPage>;
  /** Starts a call's media stream as the bridge would, hung up after the test. */
  mediaStream(sid: string): Promise<TwilioMediaStream>;
}

/** Registers the file's hooks; call it once at the top of a test file. */
export function useLiveDashboard(stackOptions: StackOptions, browserOptions: Parameters<typeof launchChromium>[0] = {}): LiveDashboard {
  let stack: CallMonitorStack | undefined;
  let browser: HeadlessChromium | undefined;
  let pages: DashboardPage[] = [];
  const streams: TwilioMediaStream[] = [];

  beforeAll(async () => {
    stack = await startCallMonitorStack(stackOptions);
    browser = await launchChromium(browserOptions);
  }, 90_000);

  afterEach(async () => {
    const opened = pages;
    pages = [];
    await Promise.all(streams.splice(0).map((media) => media.hangUp().catch(() => undefined)));
    for (const { page } of opened) await page.close().catch(() => undefined);
    // No page a test opened may have thrown or shown a dialog (hostile text included).
    expect(opened.flatMap((p) => [...p.dialogs, ...p.errors])).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("the live dashboard is not started: use it inside a test");
    return value;
  };

  return {
    get stack() {
      return started(stack);
    },
    async open(path) {
      const opened = await openDashboard(started(browser).context, `${started(stack).dashboard.url}${path}`);
      pages.push(opened);
      return opened;
    },
    async mediaStream(sid) {
      const media = await openTwilioMediaStream(started(stack).anycable.url, sid);
      streams.push(media);
      return media;
    },
  };
}
