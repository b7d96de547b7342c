// The same call as live-call-nats.test.ts with Redis in the middle: broadcasts go through
// Redis pub/sub (anycable-go --broadcast_adapter=redis) and the RPC side and the dashboard each
// have their own Redis registry client, as separate `npm run rpc` / `npm run web` processes would.
// Every test sets up its own call and pages and hangs up and closes them after, so any one of
// them runs alone or in any order with the same result.
import { describe, expect, it } from "vitest";
import { count, waitForText, waitUntilLive, WAIT_MS } from "./support/dashboard-page.js";
import { useLiveDashboard } from "./support/live-dashboard.js";
import { randomCallSid as newSid } from "../../channels/calls/call-sid.js";

const HOSTILE = `<script>alert("x")</script><img src=x onerror=alert(1)>`;

const { open, mediaStream } = useLiveDashboard({ adapter: "redis" });

describe("a live call on the dashboard (Redis broadcasting and registry)", () => {
  it("adds the call to the list of an open page when its media stream subscribes", async () => {
    const sid = newSid();
    const { page } = await open("/");
    await waitUntilLive(page);
    expect(await count(page, `#call_${sid}`)).toBe(0);
    await mediaStream(sid);
    await page.waitForSelector(`#calls > #call_${sid}`, { timeout: WAIT_MS });
  });

  it("opens the call from the list and shows its start, then its transcript live", async () => {
    const sid = newSid();
    const { page } = await open("/");
    await waitUntilLive(page);
    const media = await mediaStream(sid);
    await page.waitForSelector(`#calls > #call_${sid}`, { timeout: WAIT_MS });
    await Promise.all([page.waitForURL(`**/calls/${sid}`, { timeout: WAIT_MS }), page.click(`#call_${sid} a`)]);
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
    const sid = newSid();
    const { page, dialogs } = await open(`/calls/${sid}`);
    await waitUntilLive(page);
    const media = await mediaStream(sid);
    await media.transcript("p2", HOSTILE, true);
    await page.waitForSelector("#event_p2", { timeout: WAIT_MS });
    expect(await page.locator("#event_p2 .event-text").textContent()).toBe(HOSTILE);
    expect(await count(page, "#events img, #events script")).toBe(0);
    expect(dialogs).toEqual([]);
  });

  it("takes the call off the list and shows “Call stopped” on hang-up, and a fresh page load no longer lists it", async () => {
    const sid = newSid();
    const { page } = await open(`/calls/${sid}`);
    await waitUntilLive(page);
    const media = await mediaStream(sid);
    await page.waitForSelector(`#calls > #call_${sid}`, { timeout: WAIT_MS });
    await media.hangUp();
    await page.waitForSelector(`#call_${sid}`, { state: "detached", timeout: WAIT_MS });
    await page.waitForSelector("#events .event-end", { timeout: WAIT_MS });
    expect(await page.locator("#events .event-end .event-text").textContent()).toBe("Call stopped");

    const fresh = await open("/");
    expect(await count(fresh.page, `#call_${sid}`)).toBe(0);
  });
});
