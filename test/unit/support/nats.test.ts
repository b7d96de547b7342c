import { connect, StringCodec, type NatsConnection } from "nats";
import { afterEach, describe, expect, it } from "vitest";

import { isPortOpen } from "../../support/ports.js";
import { startNats, type NatsServer } from "../../support/nats.js";

const codec = StringCodec();

describe("startNats", () => {
  let nats: NatsServer | undefined;
  let client: NatsConnection | undefined;

  afterEach(async () => {
    await client?.close().catch(() => {});
    client = undefined;
    await nats?.stop();
    nats = undefined;
  });

  it("runs a real nats-server on loopback that clients can publish through", async () => {
    nats = await startNats();
    expect(nats.url).toBe(`nats://127.0.0.1:${nats.port}`);
    expect(nats.port).not.toBe(4222);
    expect(nats.monitoringUrl).toBeUndefined();

    client = await connect({ servers: nats.url });
    const subscription = client.subscribe("__anycable__", { max: 1 });
    client.publish("__anycable__", codec.encode('{"stream":"s","data":"1"}'));
    for await (const message of subscription) {
      expect(codec.decode(message.data)).toBe('{"stream":"s","data":"1"}');
    }
  });

  it("serves monitoring on a loopback port only when asked", async () => {
    nats = await startNats({ monitoring: true });
    expect(nats.monitoringUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const response = await fetch(`${nats.monitoringUrl}/varz`);
    expect(response.status).toBe(200);
    const varz = (await response.json()) as { host: string; http_host: string };
    expect(varz.host).toBe("127.0.0.1");
    expect(varz.http_host).toBe("127.0.0.1");
  });

  it("restarts on the same port and stop() frees it", async () => {
    nats = await startNats();
    const { port } = nats;
    const firstPid = nats.process.pid;
    await nats.restart();
    expect(nats.port).toBe(port);
    expect(nats.process.pid).not.toBe(firstPid);
    expect(await nats.isReady()).toBe(true);
    await nats.stop();
    expect(await nats.isReady()).toBe(false);
    expect(await isPortOpen(port)).toBe(false);
    nats = undefined;
  });
});
