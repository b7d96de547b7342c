// Queueing semantics shared by every adapter, against a broker stand-in the test switches on and off.
import { afterEach, describe, expect, it, vi } from "vitest";
import { QueuedBroadcaster } from "../../../src/broadcast/queued-broadcaster.js";
import { BroadcastClosedError, BroadcastQueueFullError, BroadcastRejectedError } from "../../../src/broadcast/errors.js";
import { captureLogger } from "../../support/capture-logger.js";
import { FakeTransport } from "./fake-transport.js";

// Every test here settles in milliseconds. A broken pump hangs instead, and should fail in
// seconds: mutation testing runs hundreds of such variants, and a test left to Stryker's own
// timeout costs a restart of its Vitest worker (a minute on a busy machine).
vi.setConfig({ testTimeout: 3_000, hookTimeout: 3_000 });

const open: QueuedBroadcaster[] = [];

function setup(options: { queueSize?: number; flushTimeoutMs?: number; settleOn?: "accepted" | "delivered" } = {}) {
  const transport = new FakeTransport();
  const logs = captureLogger();
  const broadcaster = new QueuedBroadcaster({
    transport,
    logger: logs.logger,
    queueSize: options.queueSize ?? 100,
    flushTimeoutMs: options.flushTimeoutMs ?? 100,
    retry: { minDelayMs: 5, maxDelayMs: 20 },
    settleOn: options.settleOn ?? "delivered",
  });
  open.push(broadcaster);
  return { transport, logs, broadcaster };
}

/** Resolves with how a promise ended, so pending ones can be told apart without waiting. */
function track(promise: Promise<void>) {
  const state: { status: "pending" | "fulfilled" | "rejected"; error?: unknown } = { status: "pending" };
  promise.then(
    () => (state.status = "fulfilled"),
    (error: unknown) => Object.assign(state, { status: "rejected", error }),
  );
  return state;
}

const data = (payload: string) => (JSON.parse(payload) as { data: string }).data;

/**
 * Lets every queued microtask and pending I/O callback run once. Used only before asserting that
 * something is still pending while the broker is down: no amount of waiting could change that.
 */
const turn = () => new Promise((resolve) => setImmediate(resolve));

afterEach(async () => {
  await Promise.all(open.splice(0).map((b) => b.close()));
});

describe("QueuedBroadcaster settling on acceptance (the default)", () => {
  it("resolves while the broker is down and delivers in order once it is back", async () => {
    const { transport, broadcaster, logs } = setup({ settleOn: "accepted" });
    await broadcaster.broadcast("s", "1");
    await broadcaster.broadcast("s", "2");
    expect(transport.delivered).toEqual([]);
    expect(broadcaster.pending).toBe(2);
    transport.up();
    await broadcaster.close();
    expect(transport.delivered.map(data)).toEqual(["1", "2"]);
    expect(logs.at("error")).toEqual([]);
  });

  it("still rejects at once when the queue is full", async () => {
    const { broadcaster } = setup({ settleOn: "accepted", queueSize: 1 });
    await broadcaster.broadcast("s", "1");
    await expect(broadcaster.broadcast("s", "2")).rejects.toBeInstanceOf(BroadcastQueueFullError);
  });

  it("logs what it could not deliver by close()", async () => {
    const { broadcaster, logs } = setup({ settleOn: "accepted", flushTimeoutMs: 30 });
    await broadcaster.broadcast("s", "lost");
    await broadcaster.close();
    expect(
      logs
        .at("error")
        .map((l) => l.msg)
        .join("\n"),
    ).toMatch(/closing with 1 undelivered publication/);
  });
});

describe("QueuedBroadcaster", () => {
  it("resolves a broadcast once the transport delivered it", async () => {
    const { transport, broadcaster } = setup();
    transport.up();
    await broadcaster.broadcast("s", { n: 1 });
    expect(transport.delivered).toEqual(['{"stream":"s","data":"{\\"n\\":1}"}']);
    expect(broadcaster.pending).toBe(0);
  });

  it("sends calls made in one tick together, in call order", async () => {
    const { transport, broadcaster } = setup();
    transport.up();
    await Promise.all([1, 2, 3, 4, 5].map((n) => broadcaster.broadcast("s", String(n))));
    expect(transport.delivered.map(data)).toEqual(["1", "2", "3", "4", "5"]);
    expect(transport.deliverCalls).toBe(1);
  });

  it("sends a batch as one message and a command as another", async () => {
    const { transport, broadcaster } = setup();
    transport.up();
    await broadcaster.broadcastMany([
      { stream: "a", data: "1" },
      { stream: "b", data: "2" },
    ]);
    await broadcaster.broadcastMany([]);
    await broadcaster.broadcastCommand({ command: "disconnect", payload: { identifier: "ids", reconnect: false } });
    expect(transport.delivered).toEqual([
      '[{"stream":"a","data":"1"},{"stream":"b","data":"2"}]',
      '{"command":"disconnect","payload":{"identifier":"ids","reconnect":false}}',
    ]);
  });

  it("rejects what cannot be encoded without queueing it", async () => {
    const { broadcaster } = setup();
    await expect(broadcaster.broadcast("", "x")).rejects.toThrow(TypeError);
    expect(broadcaster.pending).toBe(0);
  });

  it("logs an unreachable broker at start-up and queues publications until it is reachable", async () => {
    const { transport, logs, broadcaster } = setup({ queueSize: 7 });
    transport.down(new Error("connect ECONNREFUSED 127.0.0.1:1"));
    transport.down(new Error("connect ECONNREFUSED 127.0.0.1:1"));
    const promises = [1, 2, 3].map((n) => broadcaster.broadcast("s", String(n)));
    const states = promises.map(track);
    await turn();
    expect(states.map((s) => s.status)).toEqual(["pending", "pending", "pending"]);
    expect(broadcaster.pending).toBe(3);

    const warnings = logs.at("warn");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({
      msg: "cannot reach Fake broker at fake://broker:1, will keep retrying; publications are queued (max 7)",
      reason: "connect ECONNREFUSED 127.0.0.1:1",
    });

    transport.up();
    await Promise.all(promises);
    expect(transport.delivered.map(data)).toEqual(["1", "2", "3"]);
    expect(logs.at("info").some((l) => l.msg === "connected to Fake broker at fake://broker:1; flushing 3 queued publication(s)")).toBe(
      true,
    );
  });

  it("after a lost connection, flushes what queued meanwhile in order and says it reconnected", async () => {
    const { transport, logs, broadcaster } = setup();
    transport.up();
    await broadcaster.broadcast("s", "before");
    transport.down(new Error("socket closed"));
    const during = Promise.all(["d1", "d2", "d3"].map((d) => broadcaster.broadcast("s", d)));
    await turn();
    expect(transport.delivered.map(data)).toEqual(["before"]);
    transport.up();
    await during;
    await broadcaster.broadcast("s", "after");
    expect(transport.delivered.map(data)).toEqual(["before", "d1", "d2", "d3", "after"]);
    expect(logs.at("warn")[0]?.msg).toBe(
      "lost connection to Fake broker at fake://broker:1, will keep retrying; publications are queued (max 100)",
    );
    expect(logs.at("info").some((l) => l.msg === "reconnected to Fake broker at fake://broker:1; flushing 3 queued publication(s)")).toBe(
      true,
    );
  });

  it("when the queue is full, rejects at once with a clear error and logs it at error level with context", async () => {
    const { transport, logs, broadcaster } = setup({ queueSize: 3 });
    transport.down();
    const queued = [1, 2, 3].map((n) => broadcaster.broadcast("room:1", String(n)));
    const overflow = broadcaster.broadcast("room:9", "4");
    await expect(overflow).rejects.toBeInstanceOf(BroadcastQueueFullError);
    await expect(overflow).rejects.toThrow(
      'broadcast queue is full (3 pending, max 3; Fake broker at fake://broker:1 is unreachable); stream "room:9" was not sent',
    );
    const errors = logs.at("error");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ stream: "room:9", queueSize: 3, maxQueueSize: 3, target: "fake://broker:1" });

    // The three already queued are not affected and go out once the broker is back.
    transport.up();
    await Promise.all(queued);
    expect(transport.delivered.map(data)).toEqual(["1", "2", "3"]);
    await broadcaster.broadcast("room:9", "5");
  });

  it("counts a batch as one queue slot and names its streams when it does not fit", async () => {
    const { transport, logs, broadcaster } = setup({ queueSize: 1 });
    transport.down();
    const first = track(
      broadcaster.broadcastMany([
        { stream: "a", data: "1" },
        { stream: "b", data: "2" },
      ]),
    );
    await expect(broadcaster.broadcastMany([{ stream: "c", data: "3" }])).rejects.toThrow(/batch of 1 to "c" was not sent/);
    expect(logs.at("error")[0]).toMatchObject({ streams: ["c"], batchSize: 1 });
    expect(first.status).toBe("pending");
  });

  it("retries what the transport reports as retry, keeping order, and rejects what it refuses", async () => {
    const { transport, logs, broadcaster } = setup();
    transport.up();
    let hiccups = 2;
    transport.behaviour = (payload) => {
      if (data(payload) === "bad")
        return { status: "failed", error: new Error("WRONGTYPE Operation against a key holding the wrong kind of value") };
      if (data(payload) === "2" && hiccups-- > 0) return { status: "retry", error: new Error("LOADING") };
      return { status: "sent" };
    };
    const results = await Promise.allSettled(["1", "bad", "2", "3"].map((d) => broadcaster.broadcast("s", d)));
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled", "fulfilled"]);
    const refused = (results[1] as PromiseRejectedResult).reason as BroadcastRejectedError;
    expect(refused).toBeInstanceOf(BroadcastRejectedError);
    expect(refused.message).toBe(
      'Fake broker at fake://broker:1 refused stream "s": WRONGTYPE Operation against a key holding the wrong kind of value',
    );
    expect(transport.delivered.map(data)).toEqual(["1", "2", "3"]);
    expect(logs.at("error")[0]).toMatchObject({ stream: "s", msg: expect.stringMatching(/not retrying$/) });
  });

  it("close() waits for pending publications to be delivered, then stops the transport", async () => {
    const { transport, broadcaster } = setup({ flushTimeoutMs: 2_000 });
    transport.down();
    const pending = [1, 2].map((n) => track(broadcaster.broadcast("s", String(n))));
    const closed = track(broadcaster.close());
    await turn();
    expect([closed.status, transport.stopped]).toEqual(["pending", false]);
    transport.up();
    await broadcaster.close();
    expect(pending.map((s) => s.status)).toEqual(["fulfilled", "fulfilled"]);
    expect(transport.delivered.map(data)).toEqual(["1", "2"]);
    expect(transport.stopped).toBe(true);
  });

  it("close() gives up after the flush timeout: rejects what is left and logs how much was lost", async () => {
    const { transport, logs, broadcaster } = setup({ flushTimeoutMs: 50 });
    transport.down();
    const left = broadcaster.broadcast("s", "1");
    const leftToo = broadcaster.broadcast("t", "2");
    await broadcaster.close();
    await expect(left).rejects.toBeInstanceOf(BroadcastClosedError);
    await expect(leftToo).rejects.toThrow(/closing with 2 undelivered publication\(s\).*stream "t" was not sent/);
    expect(logs.at("error").find((l) => l.undelivered === 2)).toMatchObject({ streams: ["s", "t"] });
    expect(transport.stopped).toBe(true);
    expect(broadcaster.pending).toBe(0);
  });

  it("rejects publishing after close() began, loudly", async () => {
    const { transport, logs, broadcaster } = setup();
    transport.up();
    const closing = broadcaster.close();
    await expect(broadcaster.broadcast("s", "late")).rejects.toBeInstanceOf(BroadcastClosedError);
    await closing;
    expect(logs.at("error")[0]).toMatchObject({ stream: "s", msg: 'broadcaster is closed; stream "s" was not sent' });
    expect(broadcaster.close()).toBe(closing);
  });

  it("logs a long outage once, not on every failed attempt", async () => {
    const { transport, logs } = setup();
    for (let i = 0; i < 5; i++) transport.down();
    expect(logs.at("warn")).toHaveLength(1);
    expect(logs.at("debug").filter((l) => l.msg === "Fake broker still unreachable")).toHaveLength(4);
  });
});

describe("QueuedBroadcaster under a misbehaving transport", () => {
  it("hands the transport at most 256 payloads at a time, so a lost connection resends at most that many", async () => {
    const { transport, broadcaster } = setup({ queueSize: 1_000 });
    transport.down();
    const all = Array.from({ length: 300 }, (_, n) => broadcaster.broadcast("s", String(n)));
    transport.up();
    await Promise.all(all);
    expect(transport.deliverSizes).toEqual([256, 44]);
    expect(transport.delivered.map(data)).toEqual(Array.from({ length: 300 }, (_, n) => String(n)));
  });

  it("retries a delivery whose deliver() threw, instead of dropping it as refused", async () => {
    const { transport, broadcaster, logs } = setup();
    transport.up();
    const deliver = transport.deliver.bind(transport);
    let throws = 1;
    transport.deliver = (payloads) => (throws-- > 0 ? Promise.reject(new Error("socket hang up")) : deliver(payloads));
    await broadcaster.broadcast("s", "1");
    expect(transport.delivered.map(data)).toEqual(["1"]);
    expect(logs.at("error")).toEqual([]);
    expect(logs.at("debug").find((l) => l.msg === "delivery will be retried")).toMatchObject({ reason: "socket hang up" });
  });

  it("logs the reason of a retry with its cause, as Node's fetch hides the socket error there", async () => {
    const { transport, broadcaster, logs } = setup();
    transport.up();
    let attempts = 0;
    transport.behaviour = () =>
      ++attempts === 1
        ? { status: "retry", error: new TypeError("fetch failed", { cause: new Error("connect ECONNREFUSED 127.0.0.1:9") }) }
        : { status: "sent" };
    await broadcaster.broadcast("s", "1");
    expect(logs.at("debug").find((l) => l.msg === "delivery will be retried")).toMatchObject({
      reason: "fetch failed: connect ECONNREFUSED 127.0.0.1:9",
    });
  });

  it("retries a delivery whose deliver() rejected with something that is not an Error, and logs it as text", async () => {
    const { transport, broadcaster, logs } = setup();
    transport.up();
    const deliver = transport.deliver.bind(transport);
    let throws = 1;
    transport.deliver = (payloads) => (throws-- > 0 ? Promise.reject("socket hang up") : deliver(payloads));
    await broadcaster.broadcast("s", "1");
    expect(transport.delivered.map(data)).toEqual(["1"]);
    expect(logs.at("debug").find((l) => l.msg === "delivery will be retried")).toMatchObject({ reason: "socket hang up" });
  });

  it("treats a payload the transport gave no outcome for as not delivered, and delivers it again", async () => {
    const { transport, broadcaster, logs } = setup();
    transport.up();
    const deliver = transport.deliver.bind(transport);
    let calls = 0;
    transport.deliver = async (payloads) => (++calls === 1 ? [] : deliver(payloads));
    await broadcaster.broadcast("s", "1");
    expect(transport.delivered.map(data)).toEqual(["1"]);
    expect(calls).toBe(2);
    // A retry like any other: after the first backoff step, and saying why.
    expect(logs.at("debug").filter((l) => l.msg === "delivery will be retried")).toMatchObject([
      { reason: "transport reported no outcome", retryInMs: 5 },
    ]);
  });

  it("starts the backoff afresh after a delivery goes through", async () => {
    const { transport, broadcaster, logs } = setup();
    transport.up();
    const attempts = new Map<string, number>();
    let second: Promise<void> | undefined;
    transport.behaviour = (payload) => {
      const n = (attempts.get(data(payload)) ?? 0) + 1;
      attempts.set(data(payload), n);
      if (data(payload) === "first" && n <= 2) return { status: "retry", error: new Error("LOADING") };
      // Queued while "first" goes through, so the same pump meets it next.
      if (data(payload) === "first") second = broadcaster.broadcast("s", "second");
      if (data(payload) === "second" && n === 1) return { status: "retry", error: new Error("LOADING") };
      return { status: "sent" };
    };
    await broadcaster.broadcast("s", "first");
    expect(second).toBeDefined();
    await second;
    const delays = logs
      .at("debug")
      .filter((l) => l.msg === "delivery will be retried")
      .map((l) => l.retryInMs);
    expect(delays).toEqual([5, 10, 5]);
    expect(transport.delivered.map(data)).toEqual(["first", "second"]);
  });

  it("ignores the transport once closed: no reconnect, no outage warnings", async () => {
    const { transport, broadcaster, logs } = setup();
    await broadcaster.close();
    transport.up();
    transport.down(new Error("gone"));
    expect(logs.lines).toEqual([]);
  });
});

describe("QueuedBroadcaster messages and shutdown edges", () => {
  it("settles on acceptance when settleOn is not given", async () => {
    const transport = new FakeTransport();
    const broadcaster = new QueuedBroadcaster({
      transport,
      logger: captureLogger().logger,
      queueSize: 10,
      flushTimeoutMs: 10,
      retry: { minDelayMs: 5, maxDelayMs: 20 },
    });
    open.push(broadcaster);
    // The broker is down: only an accepted-settling broadcaster resolves now.
    await broadcaster.broadcast("s", "1");
    expect(broadcaster.pending).toBe(1);
  });

  it("says the broker is not keeping up when the queue fills while connected", async () => {
    const { transport, broadcaster } = setup({ queueSize: 1 });
    transport.up();
    transport.deliver = () => new Promise(() => {});
    void broadcaster.broadcast("s", "in flight").catch(() => {});
    await expect(broadcaster.broadcast("s", "2")).rejects.toThrow(
      'broadcast queue is full (1 pending, max 1; Fake broker is not keeping up); stream "s" was not sent',
    );
  });

  it("names a batch by its first three streams and a command by its name when they do not fit", async () => {
    const { transport, broadcaster, logs } = setup({ queueSize: 1 });
    transport.down();
    void broadcaster.broadcast("s", "fills the queue").catch(() => {});
    const batch = ["a", "b", "c", "d"].map((stream) => ({ stream, data: "x" }));
    await expect(broadcaster.broadcastMany(batch)).rejects.toThrow(/; batch of 4 to "a", "b", "c", … was not sent$/);
    await expect(broadcaster.broadcastMany(batch.slice(0, 3))).rejects.toThrow(/; batch of 3 to "a", "b", "c" was not sent$/);
    await expect(broadcaster.broadcastCommand({ command: "disconnect", payload: { identifier: "ids", reconnect: true } })).rejects.toThrow(
      /; disconnect command was not sent$/,
    );
    const refusals = logs.lines.filter((l) => l.msg.startsWith("broadcast queue is full"));
    expect(refusals.map(({ streams, batchSize, command, identifier }) => ({ streams, batchSize, command, identifier }))).toEqual([
      { streams: ["a", "b", "c", "d"], batchSize: 4 },
      { streams: ["a", "b", "c"], batchSize: 3 },
      { command: "disconnect", identifier: "ids" },
    ]);
  });

  it("logs the first refusal of a full queue at error, the rest at debug, and sums them up once it has room again", async () => {
    const { transport, broadcaster, logs } = setup({ queueSize: 2 });
    transport.down();
    const queued = [broadcaster.broadcast("s", "1"), broadcaster.broadcast("s", "2")];
    const refused = Array.from({ length: 50 }, (_, n) => broadcaster.broadcast("s", `over ${n}`));
    await Promise.all(refused.map((p) => expect(p).rejects.toBeInstanceOf(BroadcastQueueFullError)));
    expect(logs.at("error")).toHaveLength(1);
    expect(logs.at("debug").filter((l) => l.msg.startsWith("broadcast queue is full"))).toHaveLength(49);
    expect(logs.at("warn").filter((l) => l.msg.startsWith("broadcast queue has room again"))).toEqual([]);

    transport.up();
    await Promise.all(queued);
    await broadcaster.broadcast("s", "3");
    const summaries = logs.at("warn").filter((l) => l.msg.startsWith("broadcast queue has room again"));
    expect(summaries).toMatchObject([
      { refused: 50, maxQueueSize: 2, msg: "broadcast queue has room again; 50 broadcast(s) were refused while it was full" },
    ]);

    // A later episode starts over: its first refusal is an error again.
    transport.down();
    void broadcaster.broadcast("s", "4").catch(() => {});
    void broadcaster.broadcast("s", "5").catch(() => {});
    await expect(broadcaster.broadcast("s", "6")).rejects.toBeInstanceOf(BroadcastQueueFullError);
    expect(logs.at("error")).toHaveLength(2);
  });

  it("close() lists the streams of every undelivered publication and batch once, and none for a command", async () => {
    const { transport, broadcaster, logs } = setup({ flushTimeoutMs: 20 });
    transport.down();
    const left = [
      broadcaster.broadcast("s", "1"),
      broadcaster.broadcastMany([
        { stream: "a", data: "2" },
        { stream: "s", data: "3" },
      ]),
      broadcaster.broadcastCommand({ command: "disconnect", payload: { identifier: "ids", reconnect: false } }),
    ];
    await broadcaster.close();
    const results = await Promise.allSettled(left);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected", "rejected"]);
    expect(logs.at("error").find((l) => l.undelivered === 3)).toMatchObject({ streams: ["s", "a"], target: "fake://broker:1" });
    expect(logs.at("info").map((l) => l.msg)).toContain("flushing 3 pending publication(s) before closing");
  });

  it("close() gives up on a deliver() that never returns, once the flush timeout has passed", async () => {
    const { transport, broadcaster } = setup({ flushTimeoutMs: 20 });
    transport.up();
    transport.deliver = () => new Promise(() => {});
    const stuck = broadcaster.broadcast("s", "1");
    await broadcaster.close();
    await expect(stuck).rejects.toBeInstanceOf(BroadcastClosedError);
    expect(transport.stopped).toBe(true);
  });

  it("close() still finishes when the transport fails to disconnect, and says so", async () => {
    const { transport, broadcaster, logs } = setup();
    transport.stop = () => Promise.reject(new Error("ECONNRESET"));
    await broadcaster.close();
    expect(logs.at("warn")).toContainEqual(
      expect.objectContaining({ msg: "error while disconnecting from Fake broker", reason: "ECONNRESET" }),
    );
  });

  it("does not log a second connection when the transport repeats up()", async () => {
    const { transport, logs } = setup();
    transport.up();
    transport.up();
    expect(logs.at("info").filter((l) => /connected to/.test(l.msg))).toHaveLength(1);
  });

  it("reports nothing to flush when it connects with an empty queue", async () => {
    const { transport, logs } = setup();
    transport.up();
    expect(logs.at("info")[0]).toMatchObject({ msg: "connected to Fake broker at fake://broker:1", pending: 0 });
  });
});

describe("QueuedBroadcaster timing of retries (fake clock)", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** Retries start at 5 ms and may grow to a minute: a test that waits for the minute times out. */
  function slowCeiling() {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const transport = new FakeTransport();
    const broadcaster = new QueuedBroadcaster({
      transport,
      logger: captureLogger().logger,
      queueSize: 10,
      flushTimeoutMs: 10,
      retry: { minDelayMs: 5, maxDelayMs: 60_000 },
      settleOn: "delivered",
    });
    open.push(broadcaster);
    return { transport, broadcaster };
  }

  it("retries a delivery after the first backoff step while connected, not after the ceiling", async () => {
    const { transport, broadcaster } = slowCeiling();
    transport.up();
    let attempts = 0;
    transport.behaviour = () => (++attempts === 1 ? { status: "retry", error: new Error("LOADING") } : { status: "sent" });
    const sent = track(broadcaster.broadcast("s", "1"));
    await vi.advanceTimersByTimeAsync(4);
    expect([attempts, sent.status]).toEqual([1, "pending"]);
    await vi.advanceTimersByTimeAsync(1);
    await turn();
    expect([attempts, sent.status]).toEqual([2, "fulfilled"]);
  });

  it("sends what waited through an outage as soon as the transport is up, without waiting for a timer", async () => {
    const { transport, broadcaster } = slowCeiling();
    transport.up();
    // The connection drops while the first window is in flight: it comes back as "retry".
    transport.behaviour = () => {
      transport.down();
      transport.behaviour = () => ({ status: "sent" });
      return { status: "retry", error: new Error("connection lost") };
    };
    const sent = track(broadcaster.broadcast("s", "1"));
    await turn();
    expect(sent.status).toBe("pending");
    transport.up();
    await turn();
    await turn();
    expect(sent.status).toBe("fulfilled");
    expect(transport.delivered.map(data)).toEqual(["1"]);
  });
});

describe("QueuedBroadcaster log lines, as an operator reads them", () => {
  it("gives each outage line the broker, the reason and how much is waiting", async () => {
    const { transport, broadcaster, logs } = setup({ queueSize: 7, flushTimeoutMs: 1_000 });
    transport.down(new Error("ECONNREFUSED"));
    void broadcaster.broadcast("s", "1");
    await turn();
    transport.down(new Error("ECONNREFUSED again"));
    transport.up();
    await broadcaster.close();
    const pick = (level: "debug" | "info" | "warn", msg: RegExp) => logs.at(level).find((l) => msg.test(l.msg));
    expect(pick("warn", /^cannot reach/)).toMatchObject({ target: "fake://broker:1", reason: "ECONNREFUSED", pending: 0, maxQueueSize: 7 });
    expect(pick("debug", /still unreachable$/)).toMatchObject({ target: "fake://broker:1", reason: "ECONNREFUSED again" });
    expect(pick("info", /^connected to/)).toMatchObject({ target: "fake://broker:1", pending: 1 });
  });

  it("says how much close() is flushing and how long it will wait", async () => {
    const { transport, broadcaster, logs } = setup({ flushTimeoutMs: 1_000 });
    transport.down();
    const pending = broadcaster.broadcast("s", "1");
    const closing = broadcaster.close();
    transport.up();
    await Promise.all([pending, closing]);
    expect(logs.at("info").find((l) => /^flushing/.test(l.msg))).toMatchObject({
      msg: "flushing 1 pending publication(s) before closing",
      pending: 1,
      timeoutMs: 1_000,
    });
  });

  it("logs a retry with its reason, what is waiting and the pause before the next attempt", async () => {
    const { transport, broadcaster, logs } = setup();
    transport.up();
    let attempts = 0;
    transport.behaviour = () => (++attempts === 1 ? { status: "retry", error: new Error("LOADING") } : { status: "sent" });
    await broadcaster.broadcast("s", "1");
    expect(logs.at("debug").find((l) => l.msg === "delivery will be retried")).toMatchObject({
      reason: "LOADING",
      pending: 1,
      retryInMs: 5,
    });
  });

  it("logs a refused publication with the broker's reason, and keeps the cause on the error", async () => {
    const { transport, broadcaster, logs } = setup();
    transport.up();
    const refusal = new Error("NOPERM");
    transport.behaviour = () => ({ status: "failed", error: refusal });
    const error = await broadcaster.broadcast("s", "1").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BroadcastRejectedError);
    expect((error as BroadcastRejectedError).cause).toBe(refusal);
    expect((error as BroadcastRejectedError).about).toEqual({ kind: "publication", stream: "s" });
    expect(logs.at("error")[0]).toMatchObject({
      stream: "s",
      reason: "NOPERM",
      msg: 'Fake broker at fake://broker:1 refused stream "s": NOPERM; not retrying',
    });
  });
});

describe("QueuedBroadcaster and a transport that is down", () => {
  it("does not hand payloads to a transport that says it is not ready", async () => {
    const { transport, broadcaster } = setup();
    transport.down();
    void broadcaster.broadcast("s", "1").catch(() => {});
    await turn();
    await turn();
    expect(transport.deliverCalls).toBe(0);
    transport.up();
    await broadcaster.close();
    expect(transport.deliverCalls).toBe(1);
  });

  it("makes no further attempt once close() has given up on a delivery", async () => {
    const { transport, broadcaster, logs } = setup({ flushTimeoutMs: 20 });
    transport.up();
    transport.deliver = () => {
      transport.deliverCalls += 1;
      return new Promise(() => {});
    };
    void broadcaster.broadcast("s", "1").catch(() => {});
    await broadcaster.close();
    await turn();
    expect(transport.deliverCalls).toBe(1);
    expect(logs.at("error").map((l) => l.msg)).toEqual([
      "closing with 1 undelivered publication(s): Fake broker at fake://broker:1 did not take them within 20 ms",
    ]);
    // The abandoned window ends as a retry that will never come, and says why.
    expect(logs.at("debug").filter((l) => l.msg === "delivery will be retried")).toMatchObject([{ reason: "broadcaster stopped" }]);
  });
});

describe("QueuedBroadcaster holes found by mutation testing", () => {
  it("keeps a publication accepted before delivery until the broker takes it, when it must be retried", async () => {
    const { transport, broadcaster } = setup({ settleOn: "accepted" });
    transport.up();
    let attempts = 0;
    transport.behaviour = () => (++attempts === 1 ? { status: "retry", error: new Error("LOADING") } : { status: "sent" });
    await broadcaster.broadcast("s", "1");
    await broadcaster.close();
    expect(attempts).toBe(2);
    expect(transport.delivered.map(data)).toEqual(["1"]);
  });

  it("warns again about a second outage after the broker came back", async () => {
    const { transport, logs } = setup();
    transport.up();
    transport.down(new Error("first outage"));
    transport.up();
    transport.down(new Error("second outage"));
    expect(logs.at("warn").map((l) => l.reason)).toEqual(["first outage", "second outage"]);
  });

  it("names at most ten of the streams it could not deliver by close()", async () => {
    const { transport, broadcaster, logs } = setup({ flushTimeoutMs: 10 });
    transport.down();
    const streams = Array.from({ length: 12 }, (_, n) => `room:${n}`);
    const left = streams.map((stream) => broadcaster.broadcast(stream, "x"));
    await broadcaster.close();
    await Promise.allSettled(left);
    expect(logs.at("error").find((l) => l.undelivered === 12)).toMatchObject({ streams: streams.slice(0, 10) });
  });
});

describe("QueuedBroadcaster after close(), on a fake clock", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  function onFakeClock(flushTimeoutMs: number) {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const transport = new FakeTransport();
    const broadcaster = new QueuedBroadcaster({
      transport,
      logger: captureLogger().logger,
      queueSize: 10,
      flushTimeoutMs,
      retry: { minDelayMs: 5, maxDelayMs: 60_000 },
      settleOn: "delivered",
    });
    open.push(broadcaster);
    return { transport, broadcaster };
  }

  it("leaves no timer behind when it gives up on a broker that is down", async () => {
    const { broadcaster } = onFakeClock(10);
    const left = broadcaster.broadcast("s", "1").catch((error: unknown) => error);
    await turn();
    // The pump waits for up() with a timer of its own: close() must take that one away too.
    const closing = broadcaster.close();
    await vi.advanceTimersByTimeAsync(10);
    await closing;
    expect(await left).toBeInstanceOf(BroadcastClosedError);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("leaves no timer behind when it gives up on a delivery that never returns", async () => {
    const { transport, broadcaster } = onFakeClock(10);
    transport.up();
    transport.deliver = () => new Promise(() => {});
    const stuck = broadcaster.broadcast("s", "1").catch((error: unknown) => error);
    await turn();
    // The abandoned window ends as a retry: its backoff wait must not start once close() stopped the pump.
    const closing = broadcaster.close();
    await vi.advanceTimersByTimeAsync(10);
    await closing;
    expect(await stuck).toBeInstanceOf(BroadcastClosedError);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("leaves no timer behind when everything was delivered in time", async () => {
    const { transport, broadcaster } = onFakeClock(60_000);
    const sent = broadcaster.broadcast("s", "1");
    const closing = broadcaster.close();
    transport.up();
    await Promise.all([sent, closing]);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe("QueuedBroadcaster close() and what is still to be retried", () => {
  it("waits for a publication the broker asked to retry, not only for the first window to come back", async () => {
    const { transport, broadcaster } = setup({ flushTimeoutMs: 2_000 });
    transport.up();
    let hiccups = 1;
    transport.behaviour = (payload) =>
      data(payload) === "2" && hiccups-- > 0 ? { status: "retry", error: new Error("LOADING") } : { status: "sent" };
    const sent = [track(broadcaster.broadcast("s", "1")), track(broadcaster.broadcast("s", "2"))];
    await broadcaster.close();
    expect(sent.map((s) => s.status)).toEqual(["fulfilled", "fulfilled"]);
    expect(transport.delivered.map(data)).toEqual(["1", "2"]);
  });
});

describe("QueuedBroadcaster and a transport that spaces its windows (fake clock)", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  function spaced(windowSpacingMs: number) {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
    const transport = new FakeTransport();
    transport.windowSpacingMs = windowSpacingMs;
    const broadcaster = new QueuedBroadcaster({
      transport,
      logger: captureLogger().logger,
      queueSize: 10,
      flushTimeoutMs: 100,
      retry: { minDelayMs: 5, maxDelayMs: 20 },
      settleOn: "delivered",
    });
    open.push(broadcaster);
    transport.up();
    return { transport, broadcaster };
  }

  it("holds calls made just after a window until the spacing has passed, then sends them together, in order", async () => {
    const { transport, broadcaster } = spaced(10);
    const first = track(broadcaster.broadcast("s", "1"));
    await vi.advanceTimersByTimeAsync(0);
    expect([first.status, transport.deliverSizes]).toEqual(["fulfilled", [1]]);
    // Three calls in three separate turns, as a storm's RPC calls arrive.
    const later = [track(broadcaster.broadcast("s", "2"))];
    await vi.advanceTimersByTimeAsync(3);
    later.push(track(broadcaster.broadcast("s", "3")));
    await vi.advanceTimersByTimeAsync(3);
    later.push(track(broadcaster.broadcast("s", "4")));
    await vi.advanceTimersByTimeAsync(3);
    expect(later.map((p) => p.status)).toEqual(["pending", "pending", "pending"]);
    expect(transport.deliverSizes).toEqual([1]);
    await vi.advanceTimersByTimeAsync(1);
    expect(later.map((p) => p.status)).toEqual(["fulfilled", "fulfilled", "fulfilled"]);
    expect(transport.deliverSizes).toEqual([1, 3]);
    expect(transport.delivered.map(data)).toEqual(["1", "2", "3", "4"]);
  });

  it("does not delay a publication made after a quiet spell", async () => {
    const { transport, broadcaster } = spaced(10);
    await broadcaster.broadcast("s", "1");
    await vi.advanceTimersByTimeAsync(10);
    const second = track(broadcaster.broadcast("s", "2"));
    await vi.advanceTimersByTimeAsync(0);
    expect([second.status, transport.deliverSizes]).toEqual(["fulfilled", [1, 1]]);
  });

  it("waits only for what is left of the spacing, counted from the start of the last window", async () => {
    const { transport, broadcaster } = spaced(10);
    await broadcaster.broadcast("s", "1");
    await vi.advanceTimersByTimeAsync(7);
    const second = track(broadcaster.broadcast("s", "2"));
    await vi.advanceTimersByTimeAsync(2);
    expect(second.status).toBe("pending");
    await vi.advanceTimersByTimeAsync(1);
    expect([second.status, transport.deliverSizes]).toEqual(["fulfilled", [1, 1]]);
  });

  it("delivers what waits for the spacing before close() stops the transport", async () => {
    const { transport, broadcaster } = spaced(10);
    await broadcaster.broadcast("s", "1");
    const second = track(broadcaster.broadcast("s", "2"));
    const closed = broadcaster.close();
    await vi.advanceTimersByTimeAsync(10);
    await closed;
    expect([second.status, transport.delivered.map(data), transport.stopped]).toEqual(["fulfilled", ["1", "2"], true]);
  });

  it("sends at once, window after window, when the transport asks for no spacing", async () => {
    const { transport, broadcaster } = spaced(0);
    await broadcaster.broadcast("s", "1");
    const second = track(broadcaster.broadcast("s", "2"));
    await vi.advanceTimersByTimeAsync(0);
    expect([second.status, transport.deliverSizes]).toEqual(["fulfilled", [1, 1]]);
  });
});
