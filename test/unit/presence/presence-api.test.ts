import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ConfigError } from "../../../src/config/errors.js";
import { PresenceApi, deriveApiSecret, loadPresenceApiConfig } from "../../../src/presence/presence-api.js";
import { listenOnLoopback } from "../../support/ports.js";

describe("the presence API's configuration", () => {
  it("derives the API secret as anycable-go does (openssl dgst -sha256 -hmac s3Krit of 'api-cable')", () => {
    expect(deriveApiSecret("s3Krit")).toBe("1db397202b5bd68b12665b638515c3aeac9100f721fd7c4fcb6f29c69f32c886");
  });

  it("reads ANYCABLE_API_URL and ANYCABLE_API_SECRET, else derives the secret from ANYCABLE_SECRET", () => {
    expect(loadPresenceApiConfig({})).toEqual({ url: "http://localhost:8080/api", secret: undefined });
    expect(loadPresenceApiConfig({ ANYCABLE_SECRET: "s3Krit" }).secret).toBe(deriveApiSecret("s3Krit"));
    expect(loadPresenceApiConfig({ ANYCABLE_SECRET: "s3Krit", ANYCABLE_API_SECRET: "given" }).secret).toBe("given");
    expect(loadPresenceApiConfig({ ANYCABLE_SECRET: "none" }).secret).toBeUndefined();
    expect(loadPresenceApiConfig({ ANYCABLE_API_URL: "https://cable.example.com/api" }).url).toBe("https://cable.example.com/api");
    // anycable-go's API on its main port is plain HTTP unless TLS is set up: http:// is as valid as https://.
    expect(loadPresenceApiConfig({ ANYCABLE_API_URL: "http://127.0.0.1:8080/api" }).url).toBe("http://127.0.0.1:8080/api");
    expect(() => loadPresenceApiConfig({ ANYCABLE_API_URL: "ftp://x" })).toThrow(ConfigError);
  });

  it("refuses stream names anycable-go's API cannot address, before any request", async () => {
    const api = new PresenceApi({ url: "http://127.0.0.1:9/api" });
    await expect(api.info("chat/1")).rejects.toThrow(TypeError);
    await expect(api.info("")).rejects.toThrow(TypeError);
    await expect(api.info("..")).rejects.toThrow(TypeError);
    await expect(api.info(".")).rejects.toThrow(TypeError);
  });

  it("reports an unreachable API as status 0", async () => {
    const api = new PresenceApi({ url: "http://127.0.0.1:9/api", timeoutMs: 2_000 });
    await expect(api.info("room:1")).rejects.toMatchObject({ name: "PresenceApiError", status: 0 });
  });

  it("refuses a stream name that is no string, with the same message", async () => {
    const api = new PresenceApi({ url: "http://127.0.0.1:9/api" });
    const message = "A presence stream name must be non-empty, not '.' or '..', and without '/'";
    await expect(api.info(42 as never)).rejects.toThrow(new TypeError(message));
    await expect(api.info("a/b")).rejects.toThrow(new TypeError(message));
  });

  it.each(["ftp://cable.example.com/api", "xhttp://cable.example.com/api", "httpx://cable.example.com/api", "not a url"])(
    "refuses ANYCABLE_API_URL=%s, naming it",
    (url) => {
      expect(() => loadPresenceApiConfig({ ANYCABLE_API_URL: url })).toThrow(
        new ConfigError("Invalid presence API configuration:\n  ANYCABLE_API_URL: expected an http(s) URL"),
      );
    },
  );
});

describe("PresenceApi against a server answering as anycable-go's API does", () => {
  const requests: { url: string; authorization: string | undefined }[] = [];
  let reply: { status: number; body: string } = { status: 200, body: "{}" };
  let server: Server;
  let base: string;

  beforeAll(async () => {
    server = createServer((request, response) => {
      requests.push({ url: request.url ?? "", authorization: request.headers.authorization });
      response.writeHead(reply.status, { "content-type": "application/json" }).end(reply.body);
    });
    base = `http://127.0.0.1:${await listenOnLoopback(server)}/api`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    requests.length = 0;
  });

  it("reads who is present, authorised with the bearer secret, the stream name encoded in one path segment", async () => {
    reply = { status: 200, body: JSON.stringify({ total: 2, records: [{ id: "ann", info: { name: "Ann" } }, { id: "bob" }] }) };
    const api = new PresenceApi({ url: `${base}//`, secret: "api-secret" });
    expect(await api.info("room 1?&#")).toEqual({
      total: 2,
      records: [
        { id: "ann", info: { name: "Ann" } },
        { id: "bob", info: undefined },
      ],
    });
    expect(requests).toEqual([{ url: "/api/presence/room%201%3F%26%23/users", authorization: "Bearer api-secret" }]);
  });

  it("sends no authorization without a secret, and reads a set without records as empty", async () => {
    reply = { status: 200, body: '{"total":0}' };
    expect(await new PresenceApi({ url: base }).info("room:1")).toEqual({ total: 0, records: [] });
    expect(requests).toEqual([{ url: "/api/presence/room%3A1/users", authorization: undefined }]);
  });

  it.each([
    [401, "anycable-go presence API: unauthorised (check ANYCABLE_API_SECRET / ANYCABLE_SECRET)"],
    [501, "anycable-go presence API: presence needs anycable-go 1.6 with a broker (--presets=broker)"],
    [500, "anycable-go presence API: HTTP 500"],
  ])("turns HTTP %i into a PresenceApiError saying what to do", async (status, message) => {
    reply = { status, body: "{}" };
    await expect(new PresenceApi({ url: base }).info("room:1")).rejects.toMatchObject({ name: "PresenceApiError", status, message });
  });

  it.each([
    ["not JSON", "<html>"],
    ["a negative total", '{"total":-1}'],
    ["records without ids", '{"total":1,"records":[{"info":1}]}'],
  ])("refuses a body that is %s", async (_, body) => {
    reply = { status: 200, body };
    await expect(new PresenceApi({ url: base }).info("room:1")).rejects.toMatchObject({
      name: "PresenceApiError",
      status: 200,
      message: "anycable-go presence API answered with an unexpected body",
    });
  });

  it("asks with the default timeout when none is given, and gives up after the one it is given", async () => {
    reply = { status: 200, body: '{"total":0}' };
    await expect(new PresenceApi({ url: base }).info("room:1")).resolves.toEqual({ total: 0, records: [] });
    const silent = createServer(() => {});
    const silentBase = `http://127.0.0.1:${await listenOnLoopback(silent)}/api`;
    try {
      await expect(new PresenceApi({ url: silentBase, timeoutMs: 50 }).info("room:1")).rejects.toMatchObject({
        name: "PresenceApiError",
        status: 0,
        message: expect.stringMatching(/^anycable-go API unreachable: /),
      });
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it("keeps the info of each record as sent, and only the id and info", async () => {
    reply = { status: 200, body: JSON.stringify({ total: 1, records: [{ id: "ann", info: [1, "x"], extra: true }] }) };
    expect(await new PresenceApi({ url: base }).info("room:1")).toEqual({ total: 1, records: [{ id: "ann", info: [1, "x"] }] });
  });

  it.each([
    ["a fractional total", '{"total":1.5}'],
    ["no total", '{"records":[]}'],
    ["records that are no list", '{"total":1,"records":{"id":"ann"}}'],
  ])("refuses a body with %s", async (_, body) => {
    reply = { status: 200, body };
    await expect(new PresenceApi({ url: base }).info("room:1")).rejects.toMatchObject({
      message: "anycable-go presence API answered with an unexpected body",
    });
  });
});

describe("loadPresenceApiConfig with an explicit 'none'", () => {
  it("turns authentication off whichever secret says none", () => {
    expect(loadPresenceApiConfig({ ANYCABLE_API_SECRET: "none", ANYCABLE_SECRET: "s3Krit" }).secret).toBeUndefined();
    expect(loadPresenceApiConfig({ ANYCABLE_API_SECRET: " ", ANYCABLE_SECRET: "s3Krit" }).secret).toBe(deriveApiSecret("s3Krit"));
  });
});
