// Each transport on its own against a real broker or HTTP server, for what the broadcaster above it
// cannot show: which outcome (sent, failed, retry) a given broker answer becomes, and what the
// transport tells its listener about the connection.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { createConnection, createServer as createTcpServer } from "node:net";
import { join } from "node:path";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { Redis } from "ioredis";
import { connect, type NatsConnection, type Subscription } from "nats";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { HttpTransport } from "../../../src/broadcast/http.js";
import { NatsTransport } from "../../../src/broadcast/nats.js";
import { RedisTransport, type RedisTransportOptions } from "../../../src/broadcast/redis-connection.js";
import { loadBroadcastConfig } from "../../../src/broadcast/config.js";
import { createTransport } from "../../../src/broadcast/factory.js";
import { silentLogger } from "../../../src/logging/logger.js";
import type { BroadcastTransport, DeliveryOutcome, TransportListener } from "../../../src/broadcast/transport.js";
import {
  captureLogger,
  freePort,
  listenOnLoopback,
  startNats,
  startRedis,
  waitFor,
  withTimeout,
  type NatsServer,
  type RedisServer,
} from "../../support/index.js";

const RECONNECT = { minDelayMs: 20, maxDelayMs: 200 };

/** What a transport told the broadcaster about its connection, in order. */
function recordingListener() {
  const events: string[] = [];
  const listener: TransportListener = {
    up: () => events.push("up"),
    down: (reason) => events.push(`down: ${reason.message}`),
  };
  return { listener, events, ups: () => events.filter((e) => e === "up").length };
}

const summary = (outcomes: DeliveryOutcome[]) => outcomes.map((o) => (o.status === "sent" ? "sent" : `${o.status}: ${o.error.message}`));

const started: BroadcastTransport[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((t) => t.stop()));
});

function natsTransport(servers: string[], subject = "_transport_") {
  const logs = captureLogger();
  const transport = new NatsTransport({ servers, subject, reconnect: RECONNECT, logger: logs.logger });
  started.push(transport);
  return { transport, logs };
}

/** Whether every thread of process `pid` is stopped (SIGSTOP), as /proc shows it. */
function everyThreadStopped(pid: number): boolean {
  return readdirSync(`/proc/${pid}/task`).every((tid) => {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
    // The state follows the command name, which is in parentheses and may contain spaces.
    return stat.slice(stat.lastIndexOf(")") + 2).startsWith("T");
  });
}

/**
 * A NatsTransport connected to `server`, which is then frozen: every thread stopped, so it answers
 * nothing more (no PONG for a flush). kill() returns before every thread has stopped, and a thread
 * still running could answer a PING: the kernel must show each one stopped (state T).
 */
async function connectedThenFrozen(server: NatsServer, listener: TransportListener = recordingListener().listener): Promise<NatsTransport> {
  const { transport } = natsTransport([server.url]);
  transport.start(listener);
  await waitFor(() => transport.ready, { timeoutMs: 5_000, description: "the transport to connect" });
  server.process.signal("SIGSTOP");
  await waitFor(() => everyThreadStopped(server.process.pid), { timeoutMs: 5_000, description: "nats-server to stop" });
  return transport;
}

function configFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "nats-conf-"));
  const path = join(dir, "nats.conf");
  writeFileSync(path, text);
  return path;
}

describe("NatsTransport against nats-server", () => {
  let nats: NatsServer;
  let nc: NatsConnection;
  beforeAll(async () => {
    nats = await startNats({ args: ["-c", configFile("max_payload: 1024\n")], monitoring: true });
    nc = await connect({ servers: nats.url });
  });
  afterAll(async () => {
    await nc?.close();
    await nats?.stop();
  });

  /** How many connections the transport's name nats-server holds open. */
  async function openBroadcasterConnections(): Promise<number> {
    const response = await fetch(`${nats.monitoringUrl}/connz`);
    const { connections } = (await response.json()) as { connections: Array<{ name?: string }> | null };
    return (connections ?? []).filter((c) => c.name === "anycable-ts broadcaster").length;
  }

  /** What the transport publishes, as a subscriber on its subject receives it (subscribed before the test sends). */
  async function subscribeToTransportSubject(): Promise<{ received: string[]; sub: Subscription }> {
    const received: string[] = [];
    const sub = nc.subscribe("_transport_");
    void (async () => {
      for await (const m of sub) received.push(m.string());
    })();
    await nc.flush();
    return { received, sub };
  }

  it("reports every payload as to be retried before it has connected", async () => {
    const { transport } = natsTransport([nats.url]);
    expect(transport.ready).toBe(false);
    expect(summary(await transport.deliver(["a", "b"]))).toEqual(["retry: not connected to NATS", "retry: not connected to NATS"]);
  });

  it("refuses a payload over the server's max_payload and still sends the rest of the window", async () => {
    const { received, sub } = await subscribeToTransportSubject();
    const { transport } = natsTransport([nats.url]);
    const { listener, events } = recordingListener();
    transport.start(listener);
    await waitFor(() => transport.ready, { timeoutMs: 5_000, description: "the transport to connect" });
    expect(events).toEqual(["up"]);
    const outcomes = await transport.deliver(["small", "x".repeat(2_000), "after"]);
    expect(summary(outcomes)).toEqual(["sent", expect.stringMatching(/^failed: .*MAX_PAYLOAD_EXCEEDED/i), "sent"]);
    await waitFor(() => received.length === 2, { timeoutMs: 5_000, description: "two messages" });
    expect(received).toEqual(["small", "after"]);
    sub.unsubscribe();
  });

  it("hands back every payload to be retried when the client cannot publish at all (here: an empty subject)", async () => {
    const { transport } = natsTransport([nats.url], "");
    transport.start(recordingListener().listener);
    await waitFor(() => transport.ready, { timeoutMs: 5_000, description: "the transport to connect" });
    expect(summary(await transport.deliver(["a", "b"]))).toEqual(["retry: BAD_SUBJECT", "retry: BAD_SUBJECT"]);
  });

  it("is not ready once stopped, hands everything back to be retried, and closes its connection", async () => {
    const { transport } = natsTransport([nats.url]);
    const { listener, events } = recordingListener();
    transport.start(listener);
    await waitFor(() => transport.ready, { timeoutMs: 5_000, description: "the transport to connect" });
    await transport.stop();
    expect(transport.ready).toBe(false);
    expect(summary(await transport.deliver(["a"]))).toEqual(["retry: not connected to NATS"]);
    expect(events).toEqual(["up"]);
    // Every earlier test's transport was stopped too: once this one has closed, the server holds none.
    await waitFor(async () => (await openBroadcasterConnections()) === 0, {
      timeoutMs: 5_000,
      description: "nats-server to hold no broadcaster connection",
    });
  });

  it("sends a window's consecutive publications and batches as one batch message, and a command on its own", async () => {
    const { received, sub } = await subscribeToTransportSubject();
    const { transport } = natsTransport([nats.url]);
    transport.start(recordingListener().listener);
    await waitFor(() => transport.ready, { timeoutMs: 5_000, description: "the transport to connect" });
    const one = '{"stream":"a","data":"1"}';
    const batch = '[{"stream":"b","data":"2"},{"stream":"c","data":"3"}]';
    const command = '{"command":"disconnect","payload":{"identifier":"x","reconnect":false}}';
    const last = '{"stream":"d","data":"4"}';
    expect(summary(await transport.deliver([one, batch, command, last]))).toEqual(["sent", "sent", "sent", "sent"]);
    await waitFor(() => received.length === 3, { timeoutMs: 5_000, description: "three messages" });
    expect(received).toEqual([`[${one},{"stream":"b","data":"2"},{"stream":"c","data":"3"}]`, command, last]);
    sub.unsubscribe();
  });

  it("sends publications one by one when together they exceed the server's max_payload, so only an oversized one fails", async () => {
    const { received, sub } = await subscribeToTransportSubject();
    const { transport } = natsTransport([nats.url]);
    transport.start(recordingListener().listener);
    await waitFor(() => transport.ready, { timeoutMs: 5_000, description: "the transport to connect" });
    const publication = (data: string) => JSON.stringify({ stream: "s", data });
    const payloads = [publication("a".repeat(600)), publication("b".repeat(2_000)), publication("c".repeat(600))];
    const outcomes = await transport.deliver(payloads);
    expect(summary(outcomes)).toEqual(["sent", expect.stringMatching(/^failed: .*MAX_PAYLOAD_EXCEEDED/i), "sent"]);
    await waitFor(() => received.length === 2, { timeoutMs: 5_000, description: "two messages" });
    expect(received).toEqual([payloads[0], payloads[2]]);
    sub.unsubscribe();
  });

  it("merges again after the publications it had to send one by one", async () => {
    const { received, sub } = await subscribeToTransportSubject();
    const { transport } = natsTransport([nats.url]);
    transport.start(recordingListener().listener);
    await waitFor(() => transport.ready, { timeoutMs: 5_000, description: "the transport to connect" });
    const publication = (data: string) => JSON.stringify({ stream: "s", data });
    const command = '{"command":"disconnect","payload":{"identifier":"x","reconnect":false}}';
    const [a, b, c, d, e] = [
      publication("a".repeat(600)),
      publication("b".repeat(2_000)),
      publication("c".repeat(600)),
      publication("d"),
      publication("e"),
    ];
    const outcomes = await transport.deliver([a, b, c, command, d, e]);
    expect(summary(outcomes)).toEqual(["sent", expect.stringMatching(/^failed: .*MAX_PAYLOAD_EXCEEDED/i), "sent", "sent", "sent", "sent"]);
    await waitFor(() => received.length === 4, { timeoutMs: 5_000, description: "four messages" });
    expect(received).toEqual([a, c, command, `[${d},${e}]`]);
    sub.unsubscribe();
  });

  it("reports nothing sent and skips the flush when every payload was refused", async () => {
    const { transport } = natsTransport([nats.url]);
    transport.start(recordingListener().listener);
    await waitFor(() => transport.ready, { timeoutMs: 5_000, description: "the transport to connect" });
    expect(summary(await transport.deliver(["y".repeat(2_000)]))).toEqual([expect.stringMatching(/^failed: /)]);
  });

  it("answers at once when the client refused every payload, without waiting on the server", async () => {
    const server = await startNats({ args: ["-c", configFile("max_payload: 1024\n")] });
    try {
      // Frozen, the server would never answer a flush: nothing was published, so none is needed.
      const transport = await connectedThenFrozen(server);
      const publication = (data: string) => JSON.stringify({ stream: "s", data });
      // Two publications too large even alone (merged first, then one by one), and a payload of another kind.
      const outcomes = await withTimeout(
        transport.deliver([publication("a".repeat(2_000)), publication("b".repeat(2_000)), "c".repeat(2_000)]),
        10_000,
        "the refused window's outcomes",
      );
      expect(summary(outcomes)).toEqual(Array.from({ length: 3 }, () => expect.stringMatching(/^failed: .*MAX_PAYLOAD_EXCEEDED/i)));
    } finally {
      await server.stop({ signal: "SIGKILL" });
    }
  });

  it("closes a connection that completes after stop(), and never reports it up", async () => {
    // A server of its own: on the shared one, earlier tests' closed connections carry the same name.
    const server = await startNats({ monitoring: true });
    try {
      const { transport } = natsTransport([server.url]);
      const { listener, events } = recordingListener();
      // Frozen, the server accepts the TCP connection but cannot greet: connect() stays pending.
      server.process.signal("SIGSTOP");
      try {
        transport.start(listener);
        await transport.stop();
      } finally {
        server.process.signal("SIGCONT");
      }
      const closed = async () => {
        const response = await fetch(`${server.monitoringUrl}/connz?state=closed`);
        const { connections } = (await response.json()) as { connections: Array<{ name?: string }> | null };
        return (connections ?? []).some((c) => c.name === "anycable-ts broadcaster");
      };
      await waitFor(closed, { timeoutMs: 10_000, description: "nats-server to list the broadcaster's connection as closed" });
      expect(events).toEqual([]);
      expect(transport.ready).toBe(false);
    } finally {
      await server.stop();
    }
  });

  it("reports a flush the server never answered as to be retried: none of the window is known to have arrived", async () => {
    const server = await startNats();
    try {
      const { listener, events } = recordingListener();
      const transport = await connectedThenFrozen(server, listener);
      // Over the server's max_payload (1 MiB by default): refused by the client, whatever the flush does.
      const delivering = transport.deliver(["1", "x".repeat(1024 * 1024 + 1), "2"]);
      await server.stop({ signal: "SIGKILL" });
      expect(summary(await delivering)).toEqual([
        expect.stringMatching(/^retry: NATS flush failed: /),
        expect.stringMatching(/^failed: .*MAX_PAYLOAD_EXCEEDED/i),
        expect.stringMatching(/^retry: NATS flush failed: /),
      ]);
      await waitFor(() => events.some((e) => e.startsWith("down: disconnected from")), {
        timeoutMs: 5_000,
        description: "the disconnect to be reported",
      });
      expect(transport.ready).toBe(false);
    } finally {
      await server.stop();
    }
  });
});

describe("NatsTransport with a window split one by one", () => {
  it("waits for the flush of what it sent one by one, and hands it back when the server never answers", async () => {
    const server = await startNats({ args: ["-c", configFile("max_payload: 1024\n")] });
    try {
      const transport = await connectedThenFrozen(server);
      // Too large merged for this server, so each goes alone: the first and last are published, the middle refused.
      const publication = (data: string) => JSON.stringify({ stream: "s", data });
      const delivering = transport.deliver([publication("a".repeat(600)), publication("b".repeat(2_000)), publication("c".repeat(600))]);
      await server.stop({ signal: "SIGKILL" });
      expect(summary(await delivering)).toEqual([
        expect.stringMatching(/^retry: NATS flush failed: /),
        expect.stringMatching(/^failed: .*MAX_PAYLOAD_EXCEEDED/i),
        expect.stringMatching(/^retry: NATS flush failed: /),
      ]);
    } finally {
      await server.stop();
    }
  });
});

describe("NatsTransport stopped while its first connection is pending", () => {
  it("reports nothing when that connection then fails", async () => {
    const server = await startNats();
    try {
      const { transport } = natsTransport([server.url]);
      const { listener, events } = recordingListener();
      // Frozen, the server accepts the TCP connection but cannot greet: connect() stays pending.
      server.process.signal("SIGSTOP");
      transport.start(listener);
      await transport.stop();
      // The pending connect() now fails (connection closed); stopped, the transport must stay quiet.
      await server.stop({ signal: "SIGKILL" });
      await new Promise((resolve) => setTimeout(resolve, 3 * RECONNECT.maxDelayMs));
      expect(events).toEqual([]);
    } finally {
      await server.stop();
    }
  });
});

describe("NatsTransport through a server restart", () => {
  it("keeps its connection through the restart (nats.js redials it): one down, one up, nothing closed", async () => {
    const server = await startNats();
    try {
      const { transport, logs } = natsTransport([server.url]);
      const { listener, events } = recordingListener();
      transport.start(listener);
      await waitFor(() => transport.ready, { timeoutMs: 5_000, description: "the transport to connect" });
      await server.stop();
      await waitFor(() => events.length === 2, { timeoutMs: 5_000, description: "the disconnect to be reported" });
      expect(transport.ready).toBe(false);
      expect(summary(await transport.deliver(["while down"]))).toEqual(["retry: not connected to NATS"]);
      // Down for several redial intervals (200 ms here), so a client that gives up after a few is caught.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await server.restart();
      await waitFor(() => transport.ready, { timeoutMs: 10_000, description: "the transport to reconnect" });
      expect(events).toEqual(["up", `down: disconnected from ${server.url.replace("nats://", "")}`, "up"]);
      expect(summary(await transport.deliver(["after"]))).toEqual(["sent"]);
      // nats.js reports each redial as a status too; that is no error of the server's.
      expect(logs.at("error")).toEqual([]);
    } finally {
      await server.stop();
    }
  });

  it("redials at nats.js's pace (2 s) even when its backoff ceiling is longer", async () => {
    const server = await startNats();
    try {
      const logs = captureLogger();
      const transport = new NatsTransport({
        servers: [server.url],
        subject: "_transport_",
        reconnect: { minDelayMs: 20, maxDelayMs: 600_000 },
        logger: logs.logger,
      });
      started.push(transport);
      transport.start(recordingListener().listener);
      await waitFor(() => transport.ready, { timeoutMs: 5_000, description: "the transport to connect" });
      await server.restart();
      await waitFor(() => transport.ready, { timeoutMs: 15_000, description: "the transport to reconnect within a few redials" });
    } finally {
      await server.stop();
    }
  });
});

describe("NatsTransport before its server listens", () => {
  it("reports each refused first connection as down, and connects once the server is up", async () => {
    const port = await freePort();
    const { transport } = natsTransport([`nats://127.0.0.1:${port}`]);
    const { listener, events } = recordingListener();
    transport.start(listener);
    await waitFor(() => events.length >= 2, { timeoutMs: 10_000, description: "two refused attempts" });
    expect(events.slice(0, 2)).toEqual([
      expect.stringMatching(/^down: .*CONNECTION_REFUSED/),
      expect.stringMatching(/^down: .*CONNECTION_REFUSED/),
    ]);
    const server = await startNats({ port });
    try {
      await waitFor(() => transport.ready, { timeoutMs: 10_000, description: "the transport to connect" });
      expect(events.at(-1)).toBe("up");
      expect(summary(await transport.deliver(["now"]))).toEqual(["sent"]);
    } finally {
      await server.stop();
    }
  });

  it("dials no more once stopped between refused attempts", async () => {
    // A server that takes each connection and hangs up at once, noting the client's port in order.
    const accepted: number[] = [];
    const hangUp = createTcpServer((socket) => {
      accepted.push(socket.remotePort ?? 0);
      socket.destroy();
    });
    const port = await listenOnLoopback(hangUp);
    try {
      const transport = new NatsTransport({
        servers: [`nats://127.0.0.1:${port}`],
        subject: "_transport_",
        reconnect: RECONNECT,
        logger: silentLogger(),
      });
      started.push(transport);
      const downs: string[] = [];
      // Stopped from the listener, right where the transport would wait before dialling again.
      transport.start({
        up: () => downs.push("up"),
        down: (reason) => {
          downs.push(reason.message);
          if (downs.length === 2) void transport.stop();
        },
      });
      await waitFor(() => downs.length >= 2, { timeoutMs: 10_000, description: "two attempts" });
      await new Promise((resolve) => setImmediate(resolve));
      // A connection of our own, made after stop(): whatever the transport dialled before it was accepted first.
      const probe = createConnection({ host: "127.0.0.1", port });
      await new Promise((resolve) => probe.once("connect", resolve));
      const probePort = probe.localPort;
      await waitFor(() => accepted.includes(probePort ?? -1), { timeoutMs: 5_000, description: "the probe to be accepted" });
      probe.destroy();
      expect(accepted.indexOf(probePort ?? -1)).toBe(2);
      expect(downs).toHaveLength(2);
    } finally {
      hangUp.close();
    }
  });
});

describe("NatsTransport and the server's authorization", () => {
  let nats: NatsServer;
  beforeAll(async () => {
    nats = await startNats({
      args: [
        "-c",
        configFile(`authorization {
  users = [ { user: pub, password: pw, permissions: { publish: { deny: ["forbidden"] } } } ]
}
`),
      ],
    });
  });
  afterAll(async () => {
    await nats?.stop();
  });

  it("connects with the user and password written in the server URL, as anycable-go does", async () => {
    const { transport } = natsTransport([`nats://pub:pw@127.0.0.1:${nats.port}`]);
    const { listener, events } = recordingListener();
    transport.start(listener);
    await waitFor(() => events.length > 0, { timeoutMs: 5_000, description: "the first connection attempt" });
    expect(events).toEqual(["up"]);
  });

  it("keeps retrying a first connection the server refuses, reporting each failure, until stopped", async () => {
    const { transport } = natsTransport([`nats://pub:wrong@127.0.0.1:${nats.port}`]);
    const { listener, events } = recordingListener();
    transport.start(listener);
    await waitFor(() => events.length >= 2, { timeoutMs: 10_000, description: "two refused attempts" });
    expect(events.slice(0, 2)).toEqual([
      expect.stringMatching(/^down: .*authorization/i),
      expect.stringMatching(/^down: .*authorization/i),
    ]);
    expect(transport.target).toBe(`nats://pub:***@127.0.0.1:${nats.port}`);
    await transport.stop();
    const after = events.length;
    // Nothing to wait for when nothing should happen: three reconnect ceilings would have seen it.
    await new Promise((resolve) => setTimeout(resolve, 3 * RECONNECT.maxDelayMs));
    expect(events.length).toBe(after);
  });

  it("backs off between refused first connections, doubling the wait from minDelayMs", async () => {
    const logs = captureLogger();
    // 20, 40, 80, 160, 320, 640 ms: about 6 attempts in a second. Without the doubling (or with
    // the attempt count going the wrong way) it would try every 20 ms, some 50 times. A slow
    // machine only makes fewer attempts, so the bound cannot fail the right code.
    const transport = new NatsTransport({
      servers: [`nats://pub:wrong@127.0.0.1:${nats.port}`],
      subject: "_transport_",
      reconnect: { minDelayMs: 20, maxDelayMs: 60_000 },
      logger: logs.logger,
    });
    started.push(transport);
    const { listener, events } = recordingListener();
    transport.start(listener);
    await waitFor(() => events.length >= 2, { timeoutMs: 10_000, description: "two refused attempts" });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await transport.stop();
    expect(events.length).toBeLessThanOrEqual(10);
  });

  it("fails a window the server's permissions refuse, instead of counting it as sent, and keeps the connection", async () => {
    const { transport, logs } = natsTransport([`nats://pub:pw@127.0.0.1:${nats.port}`], "forbidden");
    const { listener, events } = recordingListener();
    transport.start(listener);
    await waitFor(() => transport.ready, { timeoutMs: 5_000, description: "the transport to connect" });
    const denied = 'failed: NATS server denied publishing to "forbidden" (permissions violation): grant the user publish permission on it';
    expect(summary(await transport.deliver(["dropped by the server", "and this one"]))).toEqual([denied, denied]);
    // The next window is judged on its own refusals, not on those counted before it; a payload the
    // client refused keeps its own reason.
    expect(summary(await transport.deliver(["again", "x".repeat(1024 * 1024 + 1)]))).toEqual([
      denied,
      expect.stringMatching(/^failed: .*MAX_PAYLOAD_EXCEEDED/i),
    ]);
    expect(events).toEqual(["up"]);
    expect(transport.ready).toBe(true);
    // Each refusal is the broadcaster's to log, once per publication, not a second time here.
    expect(logs.at("error")).toEqual([]);
  });

  it("fails every publication of a merged batch the server's permissions refuse", async () => {
    const { transport } = natsTransport([`nats://pub:pw@127.0.0.1:${nats.port}`], "forbidden");
    transport.start(recordingListener().listener);
    await waitFor(() => transport.ready, { timeoutMs: 5_000, description: "the transport to connect" });
    const denied = 'failed: NATS server denied publishing to "forbidden" (permissions violation): grant the user publish permission on it';
    const payloads = ['{"stream":"a","data":"1"}', '[{"stream":"b","data":"2"}]', '{"stream":"c","data":"3"}'];
    expect(summary(await transport.deliver(payloads))).toEqual([denied, denied, denied]);
  });

  it("sends on a subject the same user may publish to", async () => {
    const watcher = await connect({ servers: nats.url, user: "pub", pass: "pw" });
    try {
      const received: string[] = [];
      const sub = watcher.subscribe("allowed");
      void (async () => {
        for await (const m of sub) received.push(m.string());
      })();
      await watcher.flush();
      const { transport } = natsTransport([`nats://pub:pw@127.0.0.1:${nats.port}`], "allowed");
      transport.start(recordingListener().listener);
      await waitFor(() => transport.ready, { timeoutMs: 5_000, description: "the transport to connect" });
      expect(summary(await transport.deliver(["1", "2"]))).toEqual(["sent", "sent"]);
      await waitFor(() => received.length === 2, { timeoutMs: 5_000, description: "both messages" });
      expect(received).toEqual(["1", "2"]);
    } finally {
      await watcher.close();
    }
  });
});

describe("RedisTransport against redis-server", () => {
  let primary: RedisServer;
  let replica: RedisServer;
  beforeAll(async () => {
    primary = await startRedis();
    replica = await startRedis({ args: ["--replicaof", "127.0.0.1", String(primary.port)] });
  });
  afterAll(async () => {
    await replica?.stop();
    await primary?.stop();
  });

  const xadd = (url: string) =>
    new RedisTransport({
      url,
      key: "_stream_",
      kind: "Redis stream",
      reconnect: RECONNECT,
      send: (redis, stream, payload) => redis.xadd(stream, "*", "payload", payload),
    });

  it("reports every payload as to be retried before it has connected, and stops cleanly without having started", async () => {
    const transport = xadd(primary.url);
    expect(transport.ready).toBe(false);
    expect(summary(await transport.deliver(["a"]))).toEqual(["retry: not connected to Redis"]);
    await transport.stop();
  });

  it("retries what a read-only replica refuses and reconnects: after a failover a fresh connection finds the primary", async () => {
    const transport = xadd(replica.url);
    started.push(transport);
    const { listener, events } = recordingListener();
    transport.start(listener);
    await waitFor(() => transport.ready, { timeoutMs: 5_000, description: "the transport to connect" });
    const [outcome] = await transport.deliver(["x"]);
    expect(outcome).toMatchObject({ status: "retry", error: { message: expect.stringMatching(/^READONLY/) } });
    await waitFor(() => events.length >= 3, { timeoutMs: 5_000, description: "down then up", details: () => JSON.stringify(events) });
    expect(events.slice(0, 3)).toEqual(["up", "down: connection closed", "up"]);
  });

  it("hands back at once what comes while a connection it dropped is closing, instead of holding it until the reconnect", async () => {
    const transport = xadd(replica.url);
    started.push(transport);
    const { listener, events } = recordingListener();
    transport.start(listener);
    await waitFor(() => transport.ready, { timeoutMs: 5_000, description: "the transport to connect" });
    // The READONLY reply makes ioredis end the connection; it is still "ready" until the socket has closed.
    await transport.deliver(["x"]);
    expect(summary(await transport.deliver(["y"]))).toEqual([expect.stringMatching(/^retry: /)]);
    expect(events).toEqual(["up"]);
  });

  it("gives up waiting for the QUIT of a server that froze, and closes its connection: stop() is bounded", async () => {
    const frozen = await startRedis();
    try {
      const transport = xadd(frozen.url);
      started.push(transport);
      transport.start(recordingListener().listener);
      await waitFor(() => transport.ready, { timeoutMs: 5_000, description: "the transport to connect" });
      frozen.process.signal("SIGSTOP");
      await waitFor(() => everyThreadStopped(frozen.process.pid), { timeoutMs: 5_000, description: "redis-server to stop" });
      // stop() waits 2 s for the answer to its QUIT; while the server is frozen that answer never comes.
      await withTimeout(transport.stop(), 10_000, "stop() with the server frozen");
      expect(transport.ready).toBe(false);
      frozen.process.signal("SIGCONT");
      const names = new Redis(frozen.url);
      try {
        await waitFor(async () => !/name=anycable-ts-broadcaster /.test(String(await names.client("LIST"))), {
          timeoutMs: 5_000,
          description: "the transport's connection to be gone",
        });
      } finally {
        names.disconnect();
      }
    } finally {
      frozen.process.signal("SIGCONT");
      await frozen.stop();
    }
  });

  it("closes a connection still in its handshake without a QUIT, which that server would never answer", async () => {
    let received = "";
    let closed = false;
    const silent = createTcpServer((socket) => {
      socket.on("data", (chunk) => (received += chunk.toString("latin1")));
      socket.on("close", () => (closed = true));
    });
    const port = await listenOnLoopback(silent);
    try {
      const transport = xadd(`redis://127.0.0.1:${port}`);
      started.push(transport);
      transport.start(recordingListener().listener);
      // ioredis opens with CLIENT SETNAME and INFO (its ready check); this server answers nothing.
      await waitFor(() => /info/i.test(received), { timeoutMs: 5_000, description: "the handshake's first commands" });
      expect(transport.ready).toBe(false);
      await transport.stop();
      await waitFor(() => closed, { timeoutMs: 5_000, description: "the connection to close" });
      expect(received).not.toMatch(/quit/i);
    } finally {
      silent.close();
    }
  });

  it("stops at once while it cannot reach the server, and reports no outage after stop()", async () => {
    const transport = xadd(`redis://127.0.0.1:${await freePort()}`);
    const { listener, events } = recordingListener();
    transport.start(listener);
    await waitFor(() => events.length > 0, { timeoutMs: 5_000, description: "the first failed attempt" });
    expect(events[0]).toMatch(/^down: .*ECONNREFUSED/);
    expect(summary(await transport.deliver(["a"]))).toEqual(["retry: not connected to Redis"]);
    await transport.stop();
    const after = events.length;
    // Nothing to wait for when nothing should happen: three reconnect ceilings would have seen it.
    await new Promise((resolve) => setTimeout(resolve, 3 * RECONNECT.maxDelayMs));
    expect(events.length).toBe(after);
  });
});

describe("RedisTransport's replies and connection against redis-server", () => {
  let redis: RedisServer;
  let client: Redis;
  beforeAll(async () => {
    redis = await startRedis();
    client = new Redis(redis.url);
  });
  afterAll(async () => {
    client?.disconnect();
    await redis?.stop();
  });

  /** A transport whose one command answers with the error reply it is given as the payload. */
  function replying(send: RedisTransportOptions["send"]) {
    const transport = new RedisTransport({ url: redis.url, key: "_k_", kind: "Redis", reconnect: RECONNECT, send });
    started.push(transport);
    const recorded = recordingListener();
    transport.start(recorded.listener);
    return { transport, ...recorded };
  }
  const errorReply: RedisTransportOptions["send"] = (r, _key, payload) => r.eval("return redis.error_reply(ARGV[1])", 0, payload);
  const connected = (transport: RedisTransport) =>
    waitFor(() => transport.ready, { timeoutMs: 5_000, description: "the transport to connect" });
  /** The transport's own connection on the server, found by the name it gives itself. */
  const ownClientId = async (): Promise<string | undefined> =>
    /(?:^|\n)id=(\d+) [^\n]*name=anycable-ts-broadcaster /.exec(String(await client.client("LIST")))?.[1];

  it("retries the replies that say 'not now' and fails the others: a refusal is not an outage", async () => {
    const { transport, events } = replying(errorReply);
    await connected(transport);
    const replies = ["LOADING x", "BUSY x", "TRYAGAIN x", "MASTERDOWN x", "CLUSTERDOWN x", "WRONGTYPE x", "ERR LOADING x", "LOADINGX x"];
    expect(summary(await transport.deliver(replies))).toEqual([
      "retry: LOADING x",
      "retry: BUSY x",
      "retry: TRYAGAIN x",
      "retry: MASTERDOWN x",
      "retry: CLUSTERDOWN x",
      "failed: WRONGTYPE x",
      "failed: ERR LOADING x",
      "failed: LOADINGX x",
    ]);
    // Only READONLY drops the connection (reconnectOnError): the next command still goes out on this one.
    expect(summary(await transport.deliver(["WRONGTYPE y"]))).toEqual(["failed: WRONGTYPE y"]);
    expect(events).toEqual(["up"]);
  });

  it("retries a command that failed on the connection rather than in a reply", async () => {
    const { transport } = replying(() => Promise.reject(new Error("Connection is closed.")));
    await connected(transport);
    expect(summary(await transport.deliver(["a"]))).toEqual(["retry: Connection is closed."]);
  });

  it("reports a connection the server closed as down, then up again once it has reconnected", async () => {
    const { transport, events } = replying(errorReply);
    await connected(transport);
    const id = await ownClientId();
    expect(id).toBeDefined();
    await client.client("KILL", "ID", id as string);
    await waitFor(() => events.length >= 3, { timeoutMs: 5_000, description: "down then up", details: () => JSON.stringify(events) });
    expect(events.slice(0, 3)).toEqual(["up", "down: connection closed", "up"]);
  });

  it("re-sends a command in flight when the connection drops, instead of failing it", async () => {
    const { transport, events } = replying((r, key, payload) => r.xadd(key, "*", "payload", payload));
    await connected(transport);
    const id = await ownClientId();
    // The XADD waits in the server's paused write queue while its connection is cut under it.
    await client.client("PAUSE", 1_000, "WRITE");
    const delivery = transport.deliver(["held"]);
    await waitFor(async () => /cmd=xadd/.test(String(await client.client("LIST"))), { timeoutMs: 5_000, description: "the XADD to wait" });
    await client.client("KILL", "ID", id as string);
    await client.client("UNPAUSE");
    // Bounded: a command that is neither re-sent nor failed would leave the window waiting forever.
    expect(summary(await withTimeout(delivery, 5_000, "the held XADD"))).toEqual(["sent"]);
    expect((await client.xrange("_k_", "-", "+")).map(([, fields]) => fields)).toEqual([["payload", "held"]]);
    expect(events[1]).toBe("down: connection closed");
  });

  it("lets a command already written finish when stopped (QUIT), instead of cutting it off", async () => {
    const { transport } = replying((r, key, payload) => r.xadd(key, "*", "payload", payload));
    await connected(transport);
    await client.client("PAUSE", 300, "WRITE");
    const delivery = transport.deliver(["last"]);
    await waitFor(async () => /cmd=xadd/.test(String(await client.client("LIST"))), { timeoutMs: 5_000, description: "the XADD to wait" });
    await transport.stop();
    expect(summary(await delivery)).toEqual(["sent"]);
    expect((await client.xrange("_k_", "-", "+")).map(([, fields]) => fields).at(-1)).toEqual(["payload", "last"]);
  });

  it("reports nothing after stop(), not even the closed connection, and is no longer ready", async () => {
    let connection: Redis | undefined;
    const { transport, events } = replying((r) => {
      connection = r;
      return r.ping();
    });
    await connected(transport);
    expect(summary(await transport.deliver(["a"]))).toEqual(["sent"]);
    await transport.stop();
    expect(transport.ready).toBe(false);
    expect(summary(await transport.deliver(["a"]))).toEqual(["retry: not connected to Redis"]);
    await waitFor(async () => (await ownClientId()) === undefined, { timeoutMs: 5_000, description: "the connection to close" });
    // The server drops the connection before the client has seen it close; ioredis emits "end" after
    // "close", so once the transport's own connection has ended it has heard every event it will.
    const ended = connection as Redis;
    if (ended.status !== "end") await new Promise((resolve) => ended.once("end", resolve));
    expect(events).toEqual(["up"]);
  });
});

describe("the redis and redisx adapters' transports against redis-server", () => {
  let redis: RedisServer;
  let client: Redis;
  beforeAll(async () => {
    redis = await startRedis();
    client = new Redis(redis.url);
  });
  afterAll(async () => {
    client?.disconnect();
    await redis?.stop();
  });

  async function adapterTransport(adapter: "redis" | "redisx", channel: string) {
    const transport = createTransport(
      loadBroadcastConfig({ ANYCABLE_BROADCAST_ADAPTER: adapter, REDIS_URL: redis.url, ANYCABLE_REDIS_CHANNEL: channel }),
      silentLogger(),
    );
    started.push(transport);
    transport.start(recordingListener().listener);
    await waitFor(() => transport.ready, { timeoutMs: 5_000, description: "the transport to connect" });
    return transport;
  }

  it("redis PUBLISHes each payload on ANYCABLE_REDIS_CHANNEL, in order", async () => {
    const subscriber = new Redis(redis.url);
    try {
      const received: string[] = [];
      subscriber.on("message", (channel: string, message: string) => received.push(`${channel} ${message}`));
      await subscriber.subscribe("_pub_");
      const transport = await adapterTransport("redis", "_pub_");
      expect(transport.kind).toBe("Redis");
      expect(summary(await transport.deliver(["a", "b"]))).toEqual(["sent", "sent"]);
      await waitFor(() => received.length === 2, { timeoutMs: 5_000, description: "2 messages" });
      expect(received).toEqual(["_pub_ a", "_pub_ b"]);
    } finally {
      subscriber.disconnect();
    }
  });

  it("redisx XADDs each payload to the ANYCABLE_REDIS_CHANNEL stream under the field payload", async () => {
    const transport = await adapterTransport("redisx", "_xs_");
    expect(transport.kind).toBe("Redis stream");
    expect(summary(await transport.deliver(["a", "b"]))).toEqual(["sent", "sent"]);
    expect((await client.xrange("_xs_", "-", "+")).map(([, fields]) => fields)).toEqual([
      ["payload", "a"],
      ["payload", "b"],
    ]);
  });
});

describe("HttpTransport against a local HTTP server", () => {
  let server: Server;
  let url: string;
  /** Status for the next requests, consumed in order; 201 once empty, like anycable-go. 0: never answer. */
  const statuses: number[] = [];
  let requests = 0;
  /** What arrived, in order. */
  const received: Array<{ url: string | undefined; method: string | undefined; headers: IncomingHttpHeaders; body: string }> = [];
  /**
   * Each test below sends to its own query string and counts only those requests: a request of
   * an earlier test stopped mid-retry may still arrive after that test ended.
   */
  const to = (name: string) => received.filter((r) => r.url === `/_broadcast?test=${name}`);
  const urlFor = (name: string) => `${url}?test=${name}`;
  /** Like statuses, for the requests of one test's query string. */
  const statusesOf: Record<string, number[]> = {};

  beforeAll(async () => {
    server = createServer((req, res) => {
      requests += 1;
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        received.push({ url: req.url, method: req.method, headers: req.headers, body: Buffer.concat(chunks).toString() });
        const test = new URL(req.url ?? "/", "http://x").searchParams.get("test");
        const status = (test === null ? statuses : (statusesOf[test] ??= [])).shift() ?? 201;
        if (status === 0) return;
        res.statusCode = status;
        res.end();
      });
    });
    url = `http://127.0.0.1:${await listenOnLoopback(server)}/_broadcast`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  afterEach(() => {
    statuses.length = 0;
    requests = 0;
    received.length = 0;
  });

  function http(options: { key?: string; requestTimeoutMs?: number; url?: string } = {}) {
    const transport = new HttpTransport({
      url: options.url ?? url,
      key: options.key,
      requestTimeoutMs: options.requestTimeoutMs ?? 2_000,
      reconnect: { minDelayMs: 5, maxDelayMs: 20 },
    });
    started.push(transport);
    const recorded = recordingListener();
    transport.start(recorded.listener);
    return { transport, ...recorded };
  }

  it("retries 408 and 429 like a 5xx, and reports the endpoint up once it answers", async () => {
    statuses.push(408, 429);
    const { transport, events } = http();
    expect(summary(await transport.deliver(["1", "2"]))).toEqual(["sent", "sent"]);
    expect(requests).toBe(4);
    expect(events).toEqual([
      expect.stringMatching(/^down: HTTP 408 Request Timeout$/),
      expect.stringMatching(/^down: HTTP 429 Too Many Requests$/),
      "up",
    ]);
  });

  it("waits 5, 10, then 20 ms (the cap) between attempts at a 503, and never gives up", async () => {
    statuses.push(...Array.from({ length: 20 }, () => 503));
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      const { transport } = http();
      const delivering = transport.deliver(["1"]);
      /** Real I/O turns, no timer: the fake clock stands still while requests come and go. */
      const settle = async (expected: number) => {
        for (let turns = 0; turns < 10_000 && requests < expected; turns++) await new Promise((resolve) => setImmediate(resolve));
        for (let turns = 0; turns < 20; turns++) await new Promise((resolve) => setImmediate(resolve));
        return requests;
      };
      expect(await settle(1)).toBe(1);
      const pauses = [5, 10, ...Array.from({ length: 18 }, () => 20)];
      for (const [i, pause] of pauses.entries()) {
        await vi.advanceTimersByTimeAsync(pause - 1);
        expect(await settle(i + 1)).toBe(i + 1);
        await vi.advanceTimersByTimeAsync(1);
        expect(await settle(i + 2)).toBe(i + 2);
      }
      expect(summary(await delivering)).toEqual(["sent"]);
      expect(requests).toBe(21);
    } finally {
      vi.useRealTimers();
    }
  });

  it("fails a 404 at once with a hint about the URL, without calling it an outage", async () => {
    statuses.push(404);
    const { transport, events } = http();
    expect(summary(await transport.deliver(["1"]))).toEqual([
      "failed: HTTP 404 Not Found: wrong URL? anycable-go serves /_broadcast on --http_broadcast_port (8090 unless a key is set)",
    ]);
    expect(requests).toBe(1);
    expect(events).toEqual([]);
  });

  it("fails any other 4xx at once, with no hint", async () => {
    statuses.push(422);
    const { transport } = http();
    expect(summary(await transport.deliver(["1"]))).toEqual(["failed: HTTP 422 Unprocessable Entity"]);
  });

  it("hands back a delivery still being retried when stopped, to be sent again, not dropped", async () => {
    statuses.push(...Array.from({ length: 1_000 }, () => 503));
    const { transport, events } = http();
    const delivering = transport.deliver(["1"]);
    await waitFor(() => events.length > 0, { timeoutMs: 5_000, description: "the first 503" });
    await transport.stop();
    expect(summary(await delivering)).toEqual(["retry: HTTP broadcaster stopped"]);
  });

  it("POSTs each payload as a JSON body, in order, with the bearer key when there is one", async () => {
    const { transport } = http({ key: "s3cret", url: urlFor("post") });
    expect(transport.ready).toBe(true);
    expect(summary(await transport.deliver(['{"stream":"a","data":"1"}', '{"stream":"b","data":"2"}']))).toEqual(["sent", "sent"]);
    expect(to("post").map(({ method, body }) => ({ method, body }))).toEqual([
      { method: "POST", body: '{"stream":"a","data":"1"}' },
      { method: "POST", body: '{"stream":"b","data":"2"}' },
    ]);
    expect(to("post")[0]?.headers).toMatchObject({ "content-type": "application/json", authorization: "Bearer s3cret" });
  });

  it("sends no Authorization header without a key", async () => {
    const { transport } = http({ url: urlFor("no-key") });
    await transport.deliver(["1"]);
    expect(to("no-key")).toHaveLength(1);
    expect(to("no-key")[0]?.headers.authorization).toBeUndefined();
  });

  it("retries a 500 like any other 5xx", async () => {
    statusesOf["500"] = [500];
    const { transport } = http({ url: urlFor("500") });
    expect(summary(await transport.deliver(["1"]))).toEqual(["sent"]);
    expect(to("500")).toHaveLength(2);
  });

  it("fails a 401 at once with a hint about the key, as an HttpStatusError with its status", async () => {
    statusesOf["401"] = [401];
    const { transport, events } = http({ key: "wrong", url: urlFor("401") });
    const [outcome] = await transport.deliver(["1"]);
    expect(summary([outcome!])).toEqual([
      "failed: HTTP 401 Unauthorized: the broadcast key does not match anycable-go's (check ANYCABLE_BROADCAST_KEY / ANYCABLE_SECRET against its --broadcast_key / --secret)",
    ]);
    expect(outcome).toMatchObject({ error: { name: "HttpStatusError", status: 401 } });
    expect(events).toEqual([]);
  });

  it("gives up on a request the endpoint never answers after the request timeout, and sends it again", async () => {
    statusesOf.timeout = [0];
    const { transport, events } = http({ requestTimeoutMs: 200, url: urlFor("timeout") });
    expect(summary(await transport.deliver(["1"]))).toEqual(["sent"]);
    expect(to("timeout")).toHaveLength(2);
    expect(events).toEqual([expect.stringMatching(/^down: /), "up"]);
  });

  it("abandons a request still waiting for its answer when stopped, and hands the payload back", async () => {
    statusesOf.hang = [0];
    const { transport } = http({ requestTimeoutMs: 60_000, url: urlFor("hang") });
    const delivering = transport.deliver(["1"]);
    await waitFor(() => to("hang").length === 1, { timeoutMs: 5_000, description: "the request to arrive" });
    await transport.stop();
    expect(summary(await delivering)).toEqual(["retry: HTTP broadcaster stopped"]);
  });

  it("delivers without a listener to tell, when used on its own", async () => {
    statusesOf.alone = [503];
    const transport = new HttpTransport({
      url: urlFor("alone"),
      key: undefined,
      requestTimeoutMs: 2_000,
      reconnect: { minDelayMs: 5, maxDelayMs: 20 },
    });
    started.push(transport);
    expect(summary(await transport.deliver(["1"]))).toEqual(["sent"]);
    expect(to("alone")).toHaveLength(2);
  });

  it("reports an endpoint that refuses connections as down, with the socket error, until stopped", async () => {
    const { transport, events } = http({ url: `http://127.0.0.1:${await freePort()}/_broadcast` });
    const delivering = transport.deliver(["1"]);
    await waitFor(() => events.length > 0, { timeoutMs: 5_000, description: "the refused connection to be reported" });
    expect(events[0]).toMatch(/^down: fetch failed: connect ECONNREFUSED/);
    await transport.stop();
    expect(summary(await delivering)).toEqual(["retry: HTTP broadcaster stopped"]);
  });
});

describe("NatsTransport when the server stops accepting its credentials", () => {
  it("reports the closed connection and keeps trying until the credentials are accepted again", async () => {
    const config = configFile("authorization { users = [ { user: pub, password: pw } ] }\n");
    const server = await startNats({ args: ["-c", config] });
    try {
      const { transport, logs } = natsTransport([`nats://pub:pw@127.0.0.1:${server.port}`]);
      const { listener, events } = recordingListener();
      transport.start(listener);
      await waitFor(() => transport.ready, { timeoutMs: 5_000, description: "the transport to connect" });
      // Restarted with another password: nats.js's own redials meet an authorization error,
      // after which it closes the connection for good. The transport must start over.
      writeFileSync(config, "authorization { users = [ { user: pub, password: changed } ] }\n");
      await server.restart();
      await waitFor(() => events.some((e) => /^down: .*authorization/i.test(e)), {
        timeoutMs: 15_000,
        description: "the refused credentials to be reported",
        details: () => JSON.stringify(events),
      });
      // nats.js gives up on the refused credentials and closes the connection (after one or more
      // disconnects): that closure is reported with the server's reason, before any attempt of the transport's own.
      const firstOtherDown = events.find((e) => e.startsWith("down: ") && !e.startsWith("down: disconnected from "));
      expect(firstOtherDown).toMatch(/^down: .*authorization/i);
      expect(transport.ready).toBe(false);
      // What the server said while nats.js redialled is logged, as it is no refusal of a publication.
      expect(logs.at("error")).toContainEqual(
        expect.objectContaining({ msg: "NATS server reported an error", status: expect.stringMatching(/AUTHORIZATION/i) }),
      );
      writeFileSync(config, "authorization { users = [ { user: pub, password: pw } ] }\n");
      await server.restart();
      await waitFor(() => transport.ready, {
        timeoutMs: 15_000,
        description: "the transport to connect again",
        details: () => JSON.stringify(events),
      });
      expect(events[0]).toBe("up");
      expect(events.at(-1)).toBe("up");
      expect(summary(await transport.deliver(["after"]))).toEqual(["sent"]);
    } finally {
      await server.stop();
    }
  });
});
