// `anycable-ts health-check` in-process against real servers: an HTTP server answering /health as
// the HTTP RPC server does, and the framework's gRPC server over TLS.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { healthCheck } from "../../../src/cli/health-check.js";
import { runCli } from "../../../src/cli/run-cli.js";
import { FakeProcess } from "../../support/fake-process.js";
import { freePort, listenOnLoopback } from "../../support/ports.js";
import { waitFor } from "../../support/wait.js";

async function probe(env: NodeJS.ProcessEnv) {
  const io = new FakeProcess();
  const code = await healthCheck(env, io);
  return { code, out: io.out, err: io.err };
}

describe("health-check over HTTP RPC", () => {
  let server: Server | undefined;
  const paths: string[] = [];

  /** An HTTP server that answers every request with `status` and `body`, recording the paths asked for. */
  async function answering(status: number, body: string): Promise<number> {
    server = createServer((request, response) => {
      paths.push(request.url ?? "");
      response.writeHead(status, { "content-type": "application/json" }).end(body);
    });
    return listenOnLoopback(server);
  }

  afterEach(async () => {
    paths.length = 0;
    const closing = server;
    server = undefined;
    if (!closing) return;
    closing.closeAllConnections();
    await new Promise((resolve) => closing.close(resolve));
  });

  it("exits 0 on GET /health answering SERVING, whatever the mount path", async () => {
    const port = await answering(200, '{"status":"SERVING"}');
    expect(await probe({ ANYCABLE_RPC_HOST: `http://127.0.0.1:${port}/_anycable` })).toEqual({
      code: 0,
      out: `anycable.RPC at 127.0.0.1:${port}: SERVING\n`,
      err: "",
    });
    expect(paths).toEqual(["/health"]);
  });

  it("exits 1 naming the status a draining server answers", async () => {
    const port = await answering(503, '{"status":"NOT_SERVING"}');
    expect(await probe({ ANYCABLE_RPC_HOST: `http://127.0.0.1:${port}` })).toEqual({
      code: 1,
      out: "",
      err: `anycable.RPC at 127.0.0.1:${port}: NOT_SERVING\n`,
    });
  });

  it.each([
    [502, "<html>Bad Gateway</html>"],
    [200, '{"status":1}'],
  ])("exits 1 with the HTTP status when the answer (%i %s) carries no status", async (status, body) => {
    const port = await answering(status, body);
    expect(await probe({ ANYCABLE_RPC_HOST: `http://127.0.0.1:${port}` })).toMatchObject({
      code: 1,
      err: `anycable.RPC at 127.0.0.1:${port}: HTTP ${status}\n`,
    });
  });

  it("probes a server bound to every interface on loopback", async () => {
    const port = await answering(200, '{"status":"SERVING"}');
    expect(await probe({ ANYCABLE_RPC_HOST: `http://0.0.0.0:${port}/_anycable`, ANYCABLE_HTTP_RPC_SECRET: "s" })).toMatchObject({
      code: 0,
      out: `anycable.RPC at 127.0.0.1:${port}: SERVING\n`,
    });
  });

  it("exits 1 with the reason when nothing answers", async () => {
    const port = await freePort();
    const { code, err } = await probe({ ANYCABLE_RPC_HOST: `http://127.0.0.1:${port}` });
    expect(code).toBe(1);
    expect(err).toMatch(new RegExp(`^anycable\\.RPC at 127\\.0\\.0\\.1:${port}: unreachable \\(.+\\)\\n$`));
  });
});

describe("health-check over gRPC", () => {
  it("exits 1 with the reason when nothing answers, probing [::] on [::1]", async () => {
    const { code, err } = await probe({ ANYCABLE_RPC_HOST: "[::]:9" });
    expect(code).toBe(1);
    expect(err).toMatch(/^anycable\.RPC at \[::1\]:9: unreachable \(14 UNAVAILABLE: .+\)\n$/);
  });

  it("prints a configuration problem as it is and exits 1", async () => {
    expect(await probe({ ANYCABLE_RPC_HOST: "not-an-address" })).toEqual({
      code: 1,
      out: "",
      err: expect.stringMatching(/^Invalid RPC server configuration:\n {2}ANYCABLE_RPC_HOST: expected host:port/),
    });
    expect(await probe({ ANYCABLE_RPC_TLS_CERT: "-----BEGIN CERTIFICATE-----" })).toMatchObject({
      code: 1,
      err: expect.stringMatching(/ANYCABLE_RPC_TLS_CERT and ANYCABLE_RPC_TLS_KEY: set both/),
    });
  });

  describe("over TLS", () => {
    let dir: string;
    const tls = () => ({ ANYCABLE_RPC_TLS_CERT: join(dir, "server.pem"), ANYCABLE_RPC_TLS_KEY: join(dir, "server.key") });

    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), "health-check-tls-"));
      const selfSigned = (name: string, subject: string) =>
        execFileSync(
          "openssl",
          // prettier-ignore
          ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
           "-keyout", `${name}.key`, "-out", `${name}.pem`, "-subj", `/CN=${subject}`, "-addext", "subjectAltName=IP:127.0.0.1"],
          { cwd: dir, stdio: ["ignore", "ignore", "pipe"] },
        );
      selfSigned("server", "anycable-ts test server");
      selfSigned("other", "someone else");
    });

    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it("trusts the server's own self-signed certificate, or ANYCABLE_RPC_TLS_ROOT_CA when given", async () => {
      const env = {
        ANYCABLE_RPC_HOST: `127.0.0.1:${await freePort()}`,
        ANYCABLE_BROADCAST_ADAPTER: "http",
        ANYCABLE_LOG_LEVEL: "silent",
        ...tls(),
      };
      const server = new FakeProcess(env);
      const serving = runCli(["test/fixtures/chat-app.ts"], server);
      try {
        await waitFor(async () => (await probe(env)).code === 0, {
          description: "the TLS server to answer SERVING",
          failIf: () => server.exits.length > 0 && `serve exited: ${server.err}`,
        });
        expect(await probe({ ...env, ANYCABLE_RPC_TLS_ROOT_CA: join(dir, "server.pem") })).toMatchObject({ code: 0 });
        // Trusting someone else's certificate, or none at all, gets no answer.
        const distrusting = await probe({ ...env, ANYCABLE_RPC_TLS_ROOT_CA: join(dir, "other.pem") });
        expect(distrusting).toMatchObject({ code: 1, err: expect.stringMatching(/: unreachable \(/) });
        const plaintext = await probe({ ANYCABLE_RPC_HOST: env.ANYCABLE_RPC_HOST });
        expect(plaintext).toMatchObject({ code: 1, err: expect.stringMatching(/: unreachable \(/) });
      } finally {
        server.signal("SIGTERM");
        expect(await serving).toBe(0);
      }
    });

    it("refuses an unreadable ANYCABLE_RPC_TLS_ROOT_CA as a configuration problem", async () => {
      expect(await probe({ ...tls(), ANYCABLE_RPC_TLS_ROOT_CA: join(dir, "missing.pem") })).toEqual({
        code: 1,
        out: "",
        err: expect.stringMatching(
          /^Invalid RPC health check configuration:\n {2}ANYCABLE_RPC_TLS_ROOT_CA: cannot read .*missing\.pem: ENOENT/,
        ),
      });
    });
  });
});
