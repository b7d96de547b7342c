import { connect, StringCodec } from "nats";
import { afterEach, describe, expect, it } from "vitest";

import { anycableGoBinary, startAnycableGo, type AnycableGo } from "../../support/anycable-go.js";
import { connectCable, openRawSocket, type CableClient, type RawSocket } from "../../support/cable-client.js";

const PUBSUB = { channel: "$pubsub", stream_name: "harness" };
const PUBSUB_ID = JSON.stringify(PUBSUB);

describe("startAnycableGo", () => {
  let server: AnycableGo | undefined;
  let client: CableClient | undefined;
  let raw: RawSocket | undefined;

  afterEach(async () => {
    await raw?.close();
    raw = undefined;
    await client?.close();
    client = undefined;
    await server?.stop();
    server = undefined;
  });

  it("resolves the binary", () => {
    expect(anycableGoBinary()).toMatch(/anycable-go$/);
  });

  it("starts on loopback with embedded NATS; a client gets welcome and broadcasts over HTTP and NATS", async () => {
    server = await startAnycableGo({ args: ["--noauth", "--public"], embedNats: true, broadcastAdapter: "http,nats" });
    expect(server.url).toBe(`ws://127.0.0.1:${server.port}/cable`);
    expect(server.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(server.natsUrl).toMatch(/^nats:\/\/127\.0\.0\.1:\d+$/);
    expect(server.natsUrl).not.toContain(":4222");
    expect(server.broadcastUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/_broadcast$/);
    expect(server.args).toEqual(expect.arrayContaining(["--host=127.0.0.1", "--ignore-config-path", "--embed_nats"]));

    client = await connectCable(server.url);
    expect(client.sessionId).toBeTruthy();

    const subscription = await client.subscribe("$pubsub", { stream_name: "harness" });
    expect(subscription.identifier).toBe(PUBSUB_ID);

    const viaHttp = await fetch(server.broadcastUrl as string, {
      method: "POST",
      body: JSON.stringify({ stream: "harness", data: JSON.stringify({ via: "http" }) }),
    });
    expect(viaHttp.status).toBe(201);
    expect(await subscription.waitForMessage()).toEqual({ via: "http" });

    const nats = await connect({ servers: server.natsUrl });
    try {
      nats.publish("__anycable__", StringCodec().encode(JSON.stringify({ stream: "harness", data: JSON.stringify({ via: "nats" }) })));
      await nats.flush();
    } finally {
      await nats.close();
    }
    expect(await subscription.waitForMessage((m: { via?: string }) => m.via === "nats")).toEqual({ via: "nats" });
  });

  it("serves HTTP broadcasts on the main port when asked", async () => {
    server = await startAnycableGo({ args: ["--noauth", "--public"], httpBroadcastOnMainPort: true });
    expect(server.broadcastUrl).toBe(`${server.httpUrl}/_broadcast`);
    expect(server.args).toContain(`--http_broadcast_port=${server.port}`);
    const response = await fetch(server.broadcastUrl as string, {
      method: "POST",
      body: JSON.stringify({ stream: "harness", data: "1" }),
    });
    expect(response.status).toBe(201);
  });

  it("records exact frames with the raw client, including the shutdown disconnect", async () => {
    server = await startAnycableGo({ args: ["--noauth", "--public"] });
    raw = await openRawSocket(server.url);
    expect(raw.protocol).toBe("actioncable-v1-json");
    const welcome = await raw.waitForType("welcome");
    expect(welcome).toEqual({ type: "welcome", sid: expect.any(String) });

    raw.subscribe(PUBSUB);
    const confirm = await raw.waitForType("confirm_subscription");
    expect(confirm).toEqual({ type: "confirm_subscription", identifier: PUBSUB_ID });

    await server.stop();
    server = undefined;
    const goodbye = await raw.waitForType("disconnect");
    expect(goodbye).toMatchObject({ type: "disconnect", reason: "server_restart", reconnect: true });
    expect(await raw.closed).toEqual({ code: 1001, reason: "Server restart" });
  });

  it("ignores ANYCABLE_* and REDIS_URL of the parent environment", async () => {
    const saved = { ...process.env };
    // Either of these, if inherited, makes anycable-go wait for a Redis that is not there.
    process.env.ANYCABLE_BROADCAST_ADAPTER = "redis";
    process.env.ANYCABLE_REDIS_URL = "redis://127.0.0.1:1";
    process.env.REDIS_URL = "redis://127.0.0.1:1";
    process.env.ANYCABLE_PATH = "/elsewhere";
    try {
      server = await startAnycableGo({ args: ["--noauth"] });
      expect(server.url).toMatch(/\/cable$/);
      client = await connectCable(server.url);
    } finally {
      process.env = saved;
    }
  });

  it("fails fast with the server log when anycable-go cannot start", async () => {
    await expect(startAnycableGo({ args: ["--broadcast_adapter=nope"] })).rejects.toThrow(/anycable-go[\s\S]*recent output/);
  });
});
