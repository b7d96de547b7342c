// createHttpRpcHandler mounted in a plain node:http server serves the framework's built-in
// CableReady::Stream channel exactly as startRpcServer does: secret from the env or the
// `cableReady` option, the application's own channel of that name winning.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { defineApplication } from "../../../../src/cable/application.js";
import { Channel } from "../../../../src/cable/channel.js";
import { createHttpRpcHandler, type CreateHttpRpcHandlerOptions } from "../../../../src/rpc/http/create-handler.js";
import { Status } from "../../../../src/rpc/messages.js";
import { signStreamName } from "../../../../src/streams/signed-stream-name.js";
import app from "../../../fixtures/chat-app.js";
import { RecordingBroadcaster } from "../../../fixtures/recording-broadcaster.js";
import { captureLogger } from "../../../support/index.js";

const RPC_SECRET = "mounted-rpc-secret";
const CABLE_READY_SECRET = "cable-ready-secret";

let server: Server | undefined;

afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function mount(options: Partial<CreateHttpRpcHandlerOptions> & { env: NodeJS.ProcessEnv }) {
  const rpc = createHttpRpcHandler({
    app,
    broadcaster: new RecordingBroadcaster(),
    logger: captureLogger().logger,
    secret: RPC_SECRET,
    ...options,
  });
  server = createServer((req, res) => rpc(req, res));
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return async (streamIdentifier: string) => {
    const response = await fetch(`http://127.0.0.1:${port}/_anycable/command`, {
      method: "POST",
      headers: { authorization: `Bearer ${RPC_SECRET}`, "content-type": "application/json", "x-anycable-meta-protov": "v1" },
      body: JSON.stringify({
        command: "subscribe",
        identifier: JSON.stringify({ channel: "CableReady::Stream", identifier: streamIdentifier }),
        connection_identifiers: '{"user":"ann"}',
        env: { url: "http://x/cable", headers: {} },
      }),
    });
    expect(response.status).toBe(200);
    return (await response.json()) as { status: number; streams?: string[]; transmissions?: string[]; error_msg?: string };
  };
}

describe("createHttpRpcHandler's built-in channels", () => {
  it("confirms a CableReady::Stream subscription signed with the secret from the env, and rejects a forged one", async () => {
    const subscribe = await mount({ env: { ANYCABLE_CABLE_READY_SECRET: CABLE_READY_SECRET } });
    const confirmed = await subscribe(signStreamName("dashboard", CABLE_READY_SECRET));
    expect(confirmed).toMatchObject({ status: Status.SUCCESS, streams: ["dashboard"] });
    expect(confirmed.transmissions?.[0]).toMatch(/confirm_subscription/);
    const forged = await subscribe(signStreamName("dashboard", "someone-else's-secret"));
    expect(forged).toMatchObject({ status: Status.FAILURE });
    expect(forged.transmissions?.[0]).toMatch(/reject_subscription/);
  });

  it("takes the secret from the cableReady option over the env, and rejects everything without one", async () => {
    const subscribe = await mount({ env: { ANYCABLE_SECRET: "app-secret" }, cableReady: { secret: CABLE_READY_SECRET } });
    expect(await subscribe(signStreamName("dashboard", CABLE_READY_SECRET))).toMatchObject({ status: Status.SUCCESS });
    expect(await subscribe(signStreamName("dashboard", "app-secret"))).toMatchObject({ status: Status.FAILURE });
    await new Promise<void>((resolve) => server?.close(() => resolve()));

    const secretless = await mount({ env: {} });
    expect(await secretless(signStreamName("dashboard", "guessed"))).toMatchObject({ status: Status.FAILURE });
  });

  it("leaves the channel to an application that defines its own, and to builtinChannels when given", async () => {
    class OwnStream extends Channel {
      static override identifier = "CableReady::Stream";
      override subscribed(): void {
        this.streamFrom("own");
      }
    }
    const own = defineApplication({ connection: app.connection, channels: [OwnStream] });
    const subscribe = await mount({ app: own, env: { ANYCABLE_CABLE_READY_SECRET: CABLE_READY_SECRET } });
    expect(await subscribe("anything")).toMatchObject({ status: Status.SUCCESS, streams: ["own"] });
    await new Promise<void>((resolve) => server?.close(() => resolve()));

    const none = await mount({ env: { ANYCABLE_CABLE_READY_SECRET: CABLE_READY_SECRET }, builtinChannels: [] });
    const unknown = await none(signStreamName("dashboard", CABLE_READY_SECRET));
    expect(unknown).toMatchObject({ status: Status.FAILURE });
    expect(unknown.streams ?? []).toEqual([]);
    expect(unknown.transmissions?.[0]).toMatch(/reject_subscription/);
  });
});

describe("createHttpRpcHandler's defaults", () => {
  async function serve(options: Partial<CreateHttpRpcHandlerOptions>) {
    const logs = captureLogger();
    const rpc = createHttpRpcHandler({ app, broadcaster: new RecordingBroadcaster(), logger: logs.logger, ...options });
    server = createServer((req, res) => rpc(req, res));
    await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const post = (path: string, headers: Record<string, string> = {}, body = JSON.stringify({ env: { url: "http://x/cable" } })) =>
      fetch(`http://127.0.0.1:${port}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
    return { post, logs };
  }
  const WARNING = "HTTP RPC handler accepts requests without a secret: set ANYCABLE_HTTP_RPC_SECRET or ANYCABLE_SECRET beyond development";

  it("takes the secret from ANYCABLE_HTTP_RPC_SECRET and warns only when it has none", async () => {
    const { post, logs } = await serve({ env: { ANYCABLE_HTTP_RPC_SECRET: RPC_SECRET } });
    expect((await post("/connect")).status).toBe(401);
    expect((await post("/connect", { authorization: `Bearer ${RPC_SECRET}` })).status).toBe(200);
    expect(logs.at("warn").map((l) => l.msg)).not.toContain(WARNING);
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    const open = await serve({ env: {}, secret: null });
    expect((await open.post("/connect")).status).toBe(200);
    expect(open.logs.at("warn").filter((l) => l.msg === WARNING)).toHaveLength(1);
  });

  it("takes the body limit from ANYCABLE_RPC_MAX_MESSAGE_SIZE and drops a mount path's trailing slashes", async () => {
    const { post } = await serve({ env: { ANYCABLE_RPC_MAX_MESSAGE_SIZE: "64" }, secret: null, mountPath: "/_anycable//" });
    expect((await post("/_anycable/connect")).status).toBe(200);
    expect((await post("/_anycable/connect", {}, JSON.stringify({ env: { url: "http://x/cable" }, pad: "x".repeat(64) }))).status).toBe(
      413,
    );
    expect((await post("/other/connect")).status).toBe(404);
  });
});
