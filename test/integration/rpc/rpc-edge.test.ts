// The RPC server's edge: TLS with a real anycable-go, the bind warning, oversized replies and
// requests with too many fields refused and logged.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { healthCheck } from "../../../src/cli/health-check.js";
import { rpcClientConstructor } from "../../../src/rpc/grpc/proto.js";
import { startRpcServer, type RunningRpcServer } from "../../../src/rpc/start-server.js";
import { Status } from "../../../src/rpc/messages.js";
import { DEFAULT_MAX_MESSAGE_SIZE, loadRpcConfig } from "../../../src/config/rpc-config.js";
import { requestEntries } from "../../../src/rpc/grpc/request-bounds.js";
import app from "../../fixtures/chat-app.js";
import { RecordingBroadcaster } from "../../fixtures/recording-broadcaster.js";
import { captureLogger } from "../../support/capture-logger.js";
import { openRawSocket, startAnycableGo } from "../../support/index.js";

type Unary = (
  request: object,
  metadata: grpc.Metadata,
  callback: (error: grpc.ServiceError | null, response: Record<string, unknown>) => void,
) => void;
type RpcClient = grpc.Client & Record<string, Unary>;

function metadata(): grpc.Metadata {
  const m = new grpc.Metadata();
  m.set("sid", "sid-edge");
  m.set("protov", "v1");
  return m;
}

function call(client: RpcClient, method: string, request: object): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) =>
    client[method]!(request, metadata(), (error, response) => (error ? reject(error) : resolve(response))),
  );
}

function insecureClient(port: number): RpcClient {
  const RPC = rpcClientConstructor();
  return new RPC(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
    "grpc.max_send_message_length": 64 * 1024 * 1024,
    "grpc.max_receive_message_length": 64 * 1024 * 1024,
  }) as unknown as RpcClient;
}

describe("configuration", () => {
  it("defaults the message limit to anycable-go's 4 MiB reply limit", () => {
    expect(DEFAULT_MAX_MESSAGE_SIZE).toBe(4 * 1024 * 1024);
    expect(loadRpcConfig({}).maxMessageSize).toBe(4 * 1024 * 1024);
    expect(loadRpcConfig({}).tls).toBeUndefined();
  });

  it("wants both ANYCABLE_RPC_TLS_CERT and ANYCABLE_RPC_TLS_KEY, readable", () => {
    expect(() => loadRpcConfig({ ANYCABLE_RPC_TLS_CERT: "-----BEGIN CERTIFICATE-----" })).toThrow(/set both/);
    expect(() => loadRpcConfig({ ANYCABLE_RPC_TLS_CERT: "/nonexistent/cert.pem", ANYCABLE_RPC_TLS_KEY: "/nonexistent/key.pem" })).toThrow(
      /ANYCABLE_RPC_TLS_CERT: cannot read \/nonexistent\/cert.pem/,
    );
  });
});

describe("limits", () => {
  let running: RunningRpcServer;
  let client: RpcClient;
  const logs = captureLogger({ level: "warn" });

  beforeAll(async () => {
    running = await startRpcServer({
      app,
      broadcaster: new RecordingBroadcaster(),
      logger: logs.logger,
      config: { host: "127.0.0.1:0", maxMessageSize: 64 * 1024, maxRequestEntries: 100 },
      env: {},
    });
    client = insecureClient(running.port);
  });

  afterAll(async () => {
    client?.close();
    await running?.stop();
  });

  it("refuses a reply larger than the limit with an ERROR reply and an error log line, instead of echoing", async () => {
    // Quotes double when the identifier is echoed inside the JSON of reject_subscription.
    const identifier = JSON.stringify({ channel: "NoSuchChannel", pad: '"'.repeat(20_000) });
    expect(Buffer.byteLength(identifier)).toBeLessThan(64 * 1024);
    const response = await call(client, "Command", {
      command: "subscribe",
      identifier,
      connection_identifiers: '{"user":"ann"}',
      data: "",
      env: { url: "http://x/cable", headers: {} },
    });
    expect(response.status).toBe(Status.ERROR);
    expect(response.error_msg).toMatch(/^reply of \d+ bytes exceeds the RPC server's limit of 65536$/);
    expect(response.transmissions).toEqual([]);
    const line = logs.at("error").find((l) => l.msg.startsWith("RPC reply refused"));
    expect(line).toMatchObject({ rpc: "Command", maxMessageSize: 65536 });
    expect(Number(line?.bytes)).toBeGreaterThan(65536);
  });

  it("refuses a request with more state entries than ANYCABLE_RPC_MAX_REQUEST_ENTRIES before decoding it", async () => {
    const cstate = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`k${i}`, "v"]));
    const request = {
      command: "message",
      identifier: '{"channel":"chat","room":"lobby"}',
      connection_identifiers: "{}",
      data: "{}",
      env: { url: "", headers: {}, cstate },
    };
    await expect(call(client, "Command", request)).rejects.toMatchObject({ code: grpc.status.INTERNAL });
    expect(logs.at("warn").find((l) => l.msg.startsWith("RPC request refused: too many fields"))).toMatchObject({
      rpc: "Command",
      maxRequestEntries: 100,
    });
    // A request within the bound is served.
    const small = await call(client, "Connect", { env: { url: "http://x/cable", headers: { cookie: "user=ann" } } });
    expect(small.status).toBe(Status.SUCCESS);
  });

  it("counts map entries from the wire bytes", () => {
    const definition = rpcClientConstructor().service as unknown as Record<string, { requestSerialize: (value: object) => Buffer }>;
    const bytes = definition.Command!.requestSerialize({
      command: "message",
      identifier: "x",
      env: { url: "u", headers: { a: "1" }, cstate: { b: "2", c: "3" }, istate: {} },
    });
    // command, identifier, env + (url, 1 header, 2 cstate entries)
    expect(requestEntries("Command", bytes)).toBe(7);
    expect(requestEntries("Command", Buffer.from([0xff]))).toBeUndefined();
  });
});

describe("TLS", () => {
  let dir: string;
  let cert: string;
  let key: string;
  let caPath: string;

  beforeAll(() => {
    // A throwaway CA and a server certificate it signs, for localhost and 127.0.0.1.
    dir = mkdtempSync(join(tmpdir(), "rpc-tls-"));
    const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
    const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
    openssl(
      "req",
      "-x509",
      ...ec,
      "-keyout",
      "ca.key",
      "-out",
      "ca.pem",
      "-days",
      "1",
      "-subj",
      "/CN=rpc test CA",
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign",
    );
    openssl("req", ...ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost");
    writeFileSync(join(dir, "san.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
    openssl(
      "x509",
      "-req",
      "-in",
      "server.csr",
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-out",
      "server.pem",
      "-days",
      "1",
      "-extfile",
      "san.ext",
    );
    // A self-signed server certificate, which a probe can trust as its own root.
    openssl(
      "req",
      "-x509",
      ...ec,
      "-keyout",
      "self.key",
      "-out",
      "self.pem",
      "-days",
      "1",
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=DNS:localhost,IP:127.0.0.1",
    );
    // A CA that signed nothing here, for a probe that must not trust the server.
    openssl("req", "-x509", ...ec, "-keyout", "other-ca.key", "-out", "other-ca.pem", "-days", "1", "-subj", "/CN=unrelated CA");
    caPath = join(dir, "ca.pem");
    cert = join(dir, "server.pem");
    key = join(dir, "server.key");
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("serves a real anycable-go started with --rpc_enable_tls and --rpc_tls_root_ca, and refuses plaintext", async () => {
    const logs = captureLogger({ level: "info" });
    const running = await startRpcServer({
      app,
      broadcaster: new RecordingBroadcaster(),
      logger: logs.logger,
      config: { host: "127.0.0.1:0" },
      env: { ANYCABLE_RPC_TLS_CERT: cert, ANYCABLE_RPC_TLS_KEY: key },
    });
    const anycable = await startAnycableGo({
      rpcHost: `127.0.0.1:${running.port}`,
      args: ["--rpc_enable_tls", `--rpc_tls_root_ca=${caPath}`],
    });
    const plain = insecureClient(running.port);
    try {
      expect(logs.lines.find((l) => l.msg === "AnyCable RPC server listening")).toMatchObject({ tls: true });
      const socket = await openRawSocket(anycable.url, { headers: { cookie: "user=ann" } });
      expect(await socket.waitForType("welcome")).toEqual({ type: "welcome", sid: expect.any(String) });
      await socket.close();
      await expect(call(plain, "Connect", { env: { url: "http://x/cable", headers: { cookie: "user=ann" } } })).rejects.toMatchObject({
        code: grpc.status.UNAVAILABLE,
      });
    } finally {
      plain.close();
      await anycable.stop();
      await running.stop();
    }
  });

  const tlsServer = (tls: { ANYCABLE_RPC_TLS_CERT: string; ANYCABLE_RPC_TLS_KEY: string }) =>
    startRpcServer({
      app,
      broadcaster: new RecordingBroadcaster(),
      logger: captureLogger().logger,
      config: { host: "127.0.0.1:0" },
      env: tls,
    });

  it("answers anycable-ts health-check over TLS, trusting ANYCABLE_RPC_TLS_ROOT_CA or a self-signed configured certificate", async () => {
    const tls = { ANYCABLE_RPC_TLS_CERT: cert, ANYCABLE_RPC_TLS_KEY: key };
    const selfSigned = { ANYCABLE_RPC_TLS_CERT: join(dir, "self.pem"), ANYCABLE_RPC_TLS_KEY: join(dir, "self.key") };
    const running = await tlsServer(tls);
    const selfSignedServer = await tlsServer(selfSigned);
    const stdout = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    const probe = (env: NodeJS.ProcessEnv) => healthCheck({ ANYCABLE_RPC_HOST: `127.0.0.1:${running.port}`, ...env });
    try {
      expect(await probe({ ...tls, ANYCABLE_RPC_TLS_ROOT_CA: caPath })).toBe(0);
      expect(stdout).toHaveBeenLastCalledWith(`anycable.RPC at 127.0.0.1:${running.port}: SERVING\n`);
      expect(await healthCheck({ ANYCABLE_RPC_HOST: `127.0.0.1:${selfSignedServer.port}`, ...selfSigned })).toBe(0);
      // A certificate its CA signed is no root of trust: that CA has to be named, or be in the file.
      expect(await probe(tls)).toBe(1);
      writeFileSync(join(dir, "fullchain.pem"), readFileSync(cert, "utf8") + readFileSync(caPath, "utf8"));
      expect(await probe({ ...tls, ANYCABLE_RPC_TLS_CERT: join(dir, "fullchain.pem") })).toBe(0);
      // A probe that trusts another CA, or speaks plaintext, gets no answer.
      expect(await probe({ ...tls, ANYCABLE_RPC_TLS_ROOT_CA: join(dir, "other-ca.pem") })).toBe(1);
      expect(stderr).toHaveBeenLastCalledWith(expect.stringMatching(/unreachable/));
      expect(await probe({})).toBe(1);
      expect(stderr).toHaveBeenLastCalledWith(expect.stringMatching(/unreachable/));
      expect(await probe({ ...tls, ANYCABLE_RPC_TLS_ROOT_CA: "/nonexistent/ca.pem" })).toBe(1);
      expect(stderr).toHaveBeenLastCalledWith(expect.stringMatching(/ANYCABLE_RPC_TLS_ROOT_CA: cannot read \/nonexistent\/ca.pem/));
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
      await running.stop();
      await selfSignedServer.stop();
    }
  });

  it("warns at start when it binds beyond loopback", async () => {
    const logs = captureLogger({ level: "warn" });
    const running = await startRpcServer({
      app,
      broadcaster: new RecordingBroadcaster(),
      logger: logs.logger,
      config: { host: "0.0.0.0:0" },
      env: {},
    });
    await running.stop();
    expect(logs.at("warn").find((l) => l.msg.includes("listens beyond loopback"))).toMatchObject({ host: "0.0.0.0:0" });
    const quiet = captureLogger({ level: "warn" });
    const local = await startRpcServer({
      app,
      broadcaster: new RecordingBroadcaster(),
      logger: quiet.logger,
      config: { host: "127.0.0.1:0" },
      env: {},
    });
    await local.stop();
    expect(quiet.at("warn")).toEqual([]);
  });
});
