import { describe, expect, it } from "vitest";
import { CableReady } from "../../../src/cable-ready/cable-ready.js";
import { html } from "../../../src/cable-ready/html.js";
import { operations } from "../../../src/cable-ready/operations.js";
import { streamNameFrom } from "../../../src/streams/stream-key.js";
import { RecordingBroadcaster } from "./recording-broadcaster.js";

const callRow = html`<div id="call_CA1">CA1</div>`;
const started = html`<div>Call started</div>`;

describe("CableReady.broadcast", () => {
  it("sends every queued stream in one broadcastMany, one publication per stream", async () => {
    const broadcaster = new RecordingBroadcaster();
    const cr = new CableReady(broadcaster);
    cr.stream("calls").append({ selector: "#calls", html: callRow }).remove({ selector: "#call_CA0" });
    cr.stream(["call", "CA1"]).append({ selector: "#events", html: started });

    await cr.broadcast();

    expect(broadcaster.batches).toHaveLength(1);
    expect(broadcaster.single).toHaveLength(0);
    expect(broadcaster.batches[0]).toEqual([
      {
        stream: "calls",
        data:
          '{"cableReady":true,"operations":[{"operation":"append","selector":"#calls","html":"<div id=\\"call_CA1\\">CA1</div>"},' +
          '{"operation":"remove","selector":"#call_CA0"}],"version":"5.0.6"}',
      },
      {
        stream: "call:CA1",
        data: '{"cableReady":true,"operations":[{"operation":"append","selector":"#events","html":"<div>Call started</div>"}],"version":"5.0.6"}',
      },
    ]);
  });

  it("gives the same queue for the same stream name, however it is spelt", () => {
    const cr = new CableReady(new RecordingBroadcaster());
    expect(cr.stream("call:CA1")).toBe(cr.stream(["call", "CA1"]));
    expect(cr.stream("calls")).not.toBe(cr.stream("call:CA1"));
  });

  it("empties the queue once sent, so the next broadcast sends only what came after", async () => {
    const broadcaster = new RecordingBroadcaster();
    const cr = new CableReady(broadcaster);
    cr.stream("calls").remove({ selector: "#a" });
    await cr.broadcast();
    await cr.broadcast();
    expect(broadcaster.batches).toHaveLength(1);

    cr.stream("calls").remove({ selector: "#b" });
    await cr.broadcast();
    expect(broadcaster.batches).toHaveLength(2);
    expect(JSON.parse(broadcaster.batches[1]?.[0]?.data ?? "null")).toMatchObject({
      operations: [{ operation: "remove", selector: "#b" }],
    });
  });

  it("starts each stream afresh after a broadcast: no selector carried over from the last batch", async () => {
    const broadcaster = new RecordingBroadcaster();
    const cr = new CableReady(broadcaster);
    cr.stream("calls").remove({ selector: "#a" });
    await cr.broadcast();
    cr.stream("calls").reload();
    await cr.broadcast();
    expect(JSON.parse(broadcaster.batches[1]?.[0]?.data ?? "null")).toMatchObject({ operations: [{ operation: "reload" }] });
    expect(broadcaster.batches[1]?.[0]?.data).not.toContain("selector");
  });

  it("refuses operations on a queue that was already sent, instead of silently dropping them", async () => {
    const cr = new CableReady(new RecordingBroadcaster());
    const calls = cr.stream("calls").remove({ selector: "#a" });
    await cr.broadcast();
    expect(() => calls.remove({ selector: "#b" })).toThrow(/already broadcast/);
  });

  it("sends nothing when nothing is queued, and skips streams left empty", async () => {
    const broadcaster = new RecordingBroadcaster();
    const cr = new CableReady(broadcaster);
    await cr.broadcast();
    cr.stream("untouched");
    await cr.broadcast();
    expect(broadcaster.batches).toHaveLength(0);

    cr.stream("untouched");
    cr.stream("calls").reload();
    expect(cr.pendingStreams).toEqual(["calls"]);
    await cr.broadcast();
    expect(broadcaster.batches[0]?.map((p) => p.stream)).toEqual(["calls"]);
  });

  it("keeps operations queued during a slow broadcast for the next one", async () => {
    const broadcaster = new RecordingBroadcaster();
    let release: () => void = () => {};
    broadcaster.gate = new Promise((resolve) => (release = resolve));
    const cr = new CableReady(broadcaster);
    cr.stream("calls").remove({ selector: "#a" });
    const first = cr.broadcast();
    cr.stream("calls").remove({ selector: "#b" });
    release();
    await first;
    broadcaster.gate = undefined;
    await cr.broadcast();
    expect(broadcaster.batches.map((batch) => JSON.parse(batch[0]?.data ?? "null").operations[0].selector)).toEqual(["#a", "#b"]);
  });

  it("attaches broadcast meta to every publication when given", async () => {
    const broadcaster = new RecordingBroadcaster();
    const cr = new CableReady(broadcaster);
    cr.stream("a").reload();
    cr.stream("b").reload();
    await cr.broadcast({ exclude_socket: "sid-1" });
    expect(broadcaster.batches[0]?.map((p) => p.meta)).toEqual([{ exclude_socket: "sid-1" }, { exclude_socket: "sid-1" }]);
  });

  it("leaves meta out of each publication when none is given, rather than setting it to undefined", async () => {
    // A custom adapter may test for the key ("meta" in publication), as Publication's optional field allows.
    const broadcaster = new RecordingBroadcaster();
    const cr = new CableReady(broadcaster);
    cr.stream("a").reload();
    await cr.broadcast();
    expect(broadcaster.batches[0]).toStrictEqual([{ stream: "a", data: operations().reload().serialize() }]);
    expect("meta" in (broadcaster.batches[0]?.[0] ?? {})).toBe(false);
  });

  it("passes a broadcaster failure to the caller", async () => {
    const broadcaster = new RecordingBroadcaster();
    broadcaster.failWith = new Error("broker down");
    const cr = new CableReady(broadcaster);
    cr.stream("calls").reload();
    await expect(cr.broadcast()).rejects.toThrow("broker down");
  });

  it("drops everything on clear()", async () => {
    const broadcaster = new RecordingBroadcaster();
    const cr = new CableReady(broadcaster);
    cr.stream("calls").reload();
    cr.clear();
    await cr.broadcast();
    expect(broadcaster.batches).toHaveLength(0);
    expect(cr.pendingStreams).toEqual([]);
  });
});

describe("OperationBuilder.broadcastTo (one-shot)", () => {
  it("publishes the operations to one stream with broadcaster.broadcast", async () => {
    const broadcaster = new RecordingBroadcaster();
    await operations().append({ selector: "#calls", html: callRow }).broadcastTo(broadcaster, "calls");
    expect(broadcaster.single).toEqual([
      {
        stream: "calls",
        data: '{"cableReady":true,"operations":[{"operation":"append","selector":"#calls","html":"<div id=\\"call_CA1\\">CA1</div>"}],"version":"5.0.6"}',
        meta: undefined,
      },
    ]);
  });

  it("accepts a compound stream key and meta", async () => {
    const broadcaster = new RecordingBroadcaster();
    await operations().reload().broadcastTo(broadcaster, ["call", null, "CA1", false, undefined, 2], { transient: true });
    expect(broadcaster.single[0]?.stream).toBe("call:CA1:2");
    expect(broadcaster.single[0]?.meta).toEqual({ transient: true });
  });

  it("keeps the operations, so the same batch can go to several streams", async () => {
    const broadcaster = new RecordingBroadcaster();
    const ops = operations().reload();
    await ops.broadcastTo(broadcaster, "a");
    await ops.broadcastTo(broadcaster, "b");
    expect(broadcaster.single.map((s) => [s.stream, s.data])).toEqual([
      ["a", ops.serialize()],
      ["b", ops.serialize()],
    ]);
  });

  it("sends nothing for an empty builder", async () => {
    const broadcaster = new RecordingBroadcaster();
    await operations().broadcastTo(broadcaster, "calls");
    expect(broadcaster.single).toHaveLength(0);
  });

  it("refuses a stream key that names no stream", async () => {
    const broadcaster = new RecordingBroadcaster();
    await expect(operations().reload().broadcastTo(broadcaster, [null, false])).rejects.toThrow(TypeError);
    await expect(operations().reload().broadcastTo(broadcaster, "")).rejects.toThrow(TypeError);
    expect(broadcaster.single).toHaveLength(0);
  });
});

describe("stream names from keys (cable_ready's compound rule)", () => {
  it.each([
    ["calls", "calls"],
    [["calls"], "calls"],
    [["call", "CA123"], "call:CA123"],
    [["chat", 2021], "chat:2021"],
    [["user", 1n, true], "user:1:true"],
    [[null, "call", undefined, false, "CA1"], "call:CA1"],
    [["a", "", "b"], "a::b"],
  ] as const)("%o -> %s", (key, expected) => {
    expect(streamNameFrom(key)).toBe(expected);
  });

  it("refuses keys that are empty or hold objects", () => {
    expect(() => streamNameFrom("")).toThrow(TypeError);
    expect(() => streamNameFrom([])).toThrow(TypeError);
    expect(() => streamNameFrom([null, false])).toThrow(TypeError);
    expect(() => streamNameFrom(["a", {} as unknown as string])).toThrow(TypeError);
    expect(() => streamNameFrom(42 as unknown as string)).toThrow(TypeError);
  });
});
