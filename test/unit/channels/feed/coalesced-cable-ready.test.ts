// The dashboard updates of calls handled in one pass of the event loop leave as one broadcast,
// in the order the calls made them, and every caller learns whether its updates were accepted.
import { describe, expect, it } from "vitest";
import { unsafeHtml, type Broadcaster, type Publication } from "anycable-ts";
import { CoalescedCableReady, coalescedCableReady } from "../../../../channels/feed/coalesced-cable-ready.js";
import { RecordingBroadcaster } from "../../../fixtures/recording-broadcaster.js";

const append = (id: string) => (cableReady: Parameters<Parameters<CoalescedCableReady["send"]>[0]>[0]) => {
  cableReady.stream("calls").append({ selector: "#calls", html: unsafeHtml(`<li id="${id}"></li>`) });
  cableReady.stream(`call_${id}`).append({ selector: "#events", html: unsafeHtml(`<p>${id}</p>`) });
};

const operationIds = (publication: Publication): string[] =>
  (JSON.parse(publication.data) as { operations: Array<{ html: string }> }).operations.map((op) => op.html);

describe("CoalescedCableReady", () => {
  it("sends the updates of calls made in the same pass as one broadcast, in call order", async () => {
    const broadcaster = new RecordingBroadcaster();
    const updates = new CoalescedCableReady(broadcaster);
    // Three calls from three separate I/O-like callbacks of the same pass.
    const sent = await new Promise<Promise<void>[]>((resolve) => {
      const pending: Promise<void>[] = [];
      setImmediate(() => pending.push(updates.send(append("a"))));
      setImmediate(() => pending.push(updates.send(append("b"))));
      setImmediate(() => {
        pending.push(updates.send(append("c")));
        resolve(pending);
      });
    });
    await Promise.all(sent);
    // setImmediate callbacks queued together run in one pass; the batch leaves in the next.
    expect(broadcaster.publications).toHaveLength(1);
    const [batch] = broadcaster.publications;
    expect(batch?.map((p) => p.stream)).toEqual(["calls", "call_a", "call_b", "call_c"]);
    expect(operationIds(batch?.[0] as Publication)).toEqual(['<li id="a"></li>', '<li id="b"></li>', '<li id="c"></li>']);
  });

  it("settles a caller only once its updates were handed to the broadcaster", async () => {
    const broadcaster = new RecordingBroadcaster();
    const updates = new CoalescedCableReady(broadcaster);
    const sent = updates.send(append("a"));
    expect(broadcaster.publications).toHaveLength(0);
    await sent;
    expect(broadcaster.publications).toHaveLength(1);
  });

  it("keeps later passes in later broadcasts, in order", async () => {
    const broadcaster = new RecordingBroadcaster();
    const updates = new CoalescedCableReady(broadcaster);
    await updates.send(append("a"));
    await updates.send(append("b"));
    expect(broadcaster.publications.map((batch) => batch.map((p) => p.stream))).toEqual([
      ["calls", "call_a"],
      ["calls", "call_b"],
    ]);
  });

  it("rejects every caller of a batch the broadcaster refused", async () => {
    const refusing: Broadcaster = {
      broadcast: () => Promise.reject(new Error("queue full")),
      broadcastMany: () => Promise.reject(new Error("queue full")),
      broadcastCommand: () => Promise.reject(new Error("queue full")),
      close: () => Promise.resolve(),
    };
    const updates = new CoalescedCableReady(refusing);
    const results = await Promise.allSettled([updates.send(append("a")), updates.send(append("b"))]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
  });

  it("tells when every batch queued so far was handed over, refused ones included", async () => {
    const broadcaster = new RecordingBroadcaster();
    const updates = new CoalescedCableReady(broadcaster);
    await updates.handedOver();
    void updates.send(append("a"));
    // The 256-call cap closes a batch to new updates; the next ones start another, both pending.
    for (let i = 0; i < 256; i++) void updates.send(append(`c${i}`));
    const handedOver = updates.handedOver();
    expect(broadcaster.publications).toHaveLength(0);
    await handedOver;
    expect(broadcaster.publications).toHaveLength(2);

    const refusing: Broadcaster = {
      broadcast: () => Promise.resolve(),
      broadcastMany: () => Promise.reject(new Error("queue full")),
      broadcastCommand: () => Promise.resolve(),
      close: () => Promise.resolve(),
    };
    const other = new CoalescedCableReady(refusing);
    const refused = other.send(append("x")).catch((error: unknown) => error);
    await expect(other.handedOver()).resolves.toBeUndefined();
    expect(await refused).toBeInstanceOf(Error);
  });

  it("starts a new batch after 256 calls' updates", async () => {
    const broadcaster = new RecordingBroadcaster();
    const updates = new CoalescedCableReady(broadcaster);
    await Promise.all(Array.from({ length: 300 }, (_, i) => updates.send(append(`c${i}`))));
    expect(broadcaster.publications).toHaveLength(2);
    expect(operationIds(broadcaster.publications[0]?.[0] as Publication)).toHaveLength(256);
    expect(operationIds(broadcaster.publications[1]?.[0] as Publication)).toHaveLength(44);
  });

  it("is shared by everything that broadcasts through the same broadcaster", () => {
    const broadcaster = new RecordingBroadcaster();
    expect(coalescedCableReady(broadcaster)).toBe(coalescedCableReady(broadcaster));
    expect(coalescedCableReady(broadcaster)).not.toBe(coalescedCableReady(new RecordingBroadcaster()));
  });
});
