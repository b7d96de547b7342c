// ANYCABLE_RPC_HOST read the way anycable-go reads --rpc_host, and the HTTP RPC secret derived as it derives it.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ConfigError, configErrorFrom } from "../../../src/config/errors.js";
import { loadHttpRpcSecret, loadRpcConfig, loadRpcTlsRootCa } from "../../../src/config/rpc-config.js";
import { deriveHttpRpcSecret } from "../../../src/rpc/http/secret.js";

// `printf rpc-cable | openssl dgst -sha256 -hmac <secret>`: anycable-go's utils.MessageVerifier.Sign.
const DERIVED_FROM_SECRET = "f07cae1c1e872f121cf4b7d3063cf9e53464f52cd944522d045ba5eee35a7912";

describe("loadRpcConfig: the transport", () => {
  it("serves gRPC on 127.0.0.1:50051 by default", () => {
    const c = loadRpcConfig({});
    expect(c).toMatchObject({ transport: "grpc", host: "127.0.0.1:50051" });
    expect(c.http).toEqual({ mountPath: "/_anycable", secret: undefined, secretSource: "unset" });
  });

  it.each([
    ["127.0.0.1:50052", "127.0.0.1:50052"],
    ["grpc://0.0.0.0:50051", "0.0.0.0:50051"],
    ["dns:///localhost:50051", "localhost:50051"],
    ["[::]:50051", "[::]:50051"],
    [" 127.0.0.1:65535 ", "127.0.0.1:65535"],
  ])("reads %s as gRPC on %s", (raw, host) => {
    expect(loadRpcConfig({ ANYCABLE_RPC_HOST: raw })).toMatchObject({ transport: "grpc", host });
  });

  it("takes the same http:// URL anycable-go's --rpc_host takes: address to bind and mount path", () => {
    const c = loadRpcConfig({ ANYCABLE_RPC_HOST: "http://127.0.0.1:8080/_anycable/" });
    expect(c).toMatchObject({ transport: "http", host: "127.0.0.1:8080" });
    expect(c.http.mountPath).toBe("/_anycable");
    expect(loadRpcConfig({ ANYCABLE_RPC_HOST: "http://localhost" })).toMatchObject({ transport: "http", host: "localhost:80" });
    expect(loadRpcConfig({ ANYCABLE_RPC_HOST: "http://127.0.0.1:8080" }).http.mountPath).toBe("");
  });

  it("switches to HTTP when ANYCABLE_HTTP_RPC_MOUNT_PATH is set, as the Ruby gem does", () => {
    const c = loadRpcConfig({ ANYCABLE_HTTP_RPC_MOUNT_PATH: "/rpc/", ANYCABLE_RPC_HOST: "127.0.0.1:9000" });
    expect(c).toMatchObject({ transport: "http", host: "127.0.0.1:9000", http: { mountPath: "/rpc" } });
  });

  it("refuses a mount path that contradicts the URL's, https, and URLs with extras", () => {
    expect(() => loadRpcConfig({ ANYCABLE_RPC_HOST: "http://127.0.0.1:1/a", ANYCABLE_HTTP_RPC_MOUNT_PATH: "/b" })).toThrow(
      /ANYCABLE_HTTP_RPC_MOUNT_PATH: \/b differs from the path of ANYCABLE_RPC_HOST \(\/a\)/,
    );
    expect(() => loadRpcConfig({ ANYCABLE_RPC_HOST: "https://127.0.0.1:8443/_anycable" })).toThrow(/terminate TLS in front/);
    expect(() => loadRpcConfig({ ANYCABLE_RPC_HOST: "http://u:p@127.0.0.1:1/x?y=1" })).toThrow(/no query, fragment or credentials/);
    expect(() => loadRpcConfig({ ANYCABLE_HTTP_RPC_MOUNT_PATH: "no-slash" })).toThrow(/expected a URL path/);
    expect(() => loadRpcConfig({ ANYCABLE_RPC_HOST: "not-an-address" })).toThrow(ConfigError);
  });
});

describe("loadRpcConfig: the HTTP RPC secret", () => {
  it("derives it from ANYCABLE_SECRET exactly as anycable-go derives it from --secret", () => {
    expect(deriveHttpRpcSecret("secret")).toBe(DERIVED_FROM_SECRET);
    const c = loadRpcConfig({ ANYCABLE_RPC_HOST: "http://0.0.0.0:8080/_anycable", ANYCABLE_SECRET: "secret" });
    expect(c.http).toMatchObject({ secret: DERIVED_FROM_SECRET, secretSource: "ANYCABLE_SECRET" });
  });

  it("prefers ANYCABLE_HTTP_RPC_SECRET, used as it is", () => {
    const c = loadRpcConfig({ ANYCABLE_HTTP_RPC_SECRET: " given ", ANYCABLE_SECRET: "secret" });
    expect(c.http).toMatchObject({ secret: " given ", secretSource: "ANYCABLE_HTTP_RPC_SECRET" });
  });

  it('takes "none" as switching authentication off knowingly', () => {
    expect(loadRpcConfig({ ANYCABLE_HTTP_RPC_SECRET: "none", ANYCABLE_SECRET: "secret" }).http).toMatchObject({
      secret: undefined,
      secretSource: "none",
    });
    expect(loadRpcConfig({ ANYCABLE_SECRET: "none" }).http.secretSource).toBe("none");
    expect(loadRpcConfig({ ANYCABLE_RPC_HOST: "http://0.0.0.0:8080", ANYCABLE_HTTP_RPC_SECRET: "none" }).transport).toBe("http");
  });

  it("refuses to serve HTTP RPC beyond loopback with no secret at all", () => {
    expect(() => loadRpcConfig({ ANYCABLE_RPC_HOST: "http://0.0.0.0:8080/_anycable" })).toThrow(/would run anyone's commands/);
    for (const host of ["127.0.0.1", "localhost", "[::1]"]) {
      expect(loadRpcConfig({ ANYCABLE_RPC_HOST: `http://${host}:8080/_anycable` }).http.secret).toBeUndefined();
    }
  });

  it("reads just the secret for a handler mounted in the application's own server", () => {
    expect(loadHttpRpcSecret({ ANYCABLE_SECRET: "secret" })).toEqual({ secret: DERIVED_FROM_SECRET, secretSource: "ANYCABLE_SECRET" });
    expect(loadHttpRpcSecret({ ANYCABLE_HTTP_RPC_SECRET: "  " })).toEqual({ secret: undefined, secretSource: "unset" });
    expect(loadHttpRpcSecret({ ANYCABLE_HTTP_RPC_SECRET: "given", ANYCABLE_SECRET: "secret" })).toEqual({
      secret: "given",
      secretSource: "ANYCABLE_HTTP_RPC_SECRET",
    });
  });
});

describe("loadRpcConfig: the forms anycable-go's settings take", () => {
  it("takes off every trailing slash and surrounding blanks, and a scheme only at the start", () => {
    expect(loadRpcConfig({ ANYCABLE_RPC_HOST: "http://127.0.0.1:8080/_anycable//" }).http.mountPath).toBe("/_anycable");
    expect(loadRpcConfig({ ANYCABLE_HTTP_RPC_MOUNT_PATH: " /rpc " }).http.mountPath).toBe("/rpc");
    expect(loadRpcConfig({ ANYCABLE_HTTP_RPC_MOUNT_PATH: "/rpc//" }).http.mountPath).toBe("/rpc");
    expect(() => loadRpcConfig({ ANYCABLE_RPC_HOST: "xgrpc://127.0.0.1:50051" })).toThrow(/ANYCABLE_RPC_HOST: expected host:port/);
  });

  it.each(["rpc/x", "/rpc path", "/rpc?x=1"])("refuses the mount path %j: not a URL path", (path) => {
    expect(() => loadRpcConfig({ ANYCABLE_HTTP_RPC_MOUNT_PATH: path })).toThrow(
      new ConfigError("Invalid RPC server configuration:\n  ANYCABLE_HTTP_RPC_MOUNT_PATH: expected a URL path, e.g. /_anycable"),
    );
  });

  it("takes a mount path that repeats the URL's, or completes a URL without one", () => {
    const same = loadRpcConfig({ ANYCABLE_RPC_HOST: "http://127.0.0.1:1/a", ANYCABLE_HTTP_RPC_MOUNT_PATH: "/a/" });
    expect(same).toMatchObject({ transport: "http", http: { mountPath: "/a" } });
    const completed = loadRpcConfig({ ANYCABLE_RPC_HOST: "http://127.0.0.1:1", ANYCABLE_HTTP_RPC_MOUNT_PATH: "/b" });
    expect(completed.http.mountPath).toBe("/b");
  });

  it("caps messages at grpc-go's default of 4 MiB unless told otherwise", () => {
    expect(loadRpcConfig({}).maxMessageSize).toBe(4 * 1024 * 1024);
    expect(loadRpcConfig({ ANYCABLE_RPC_MAX_MESSAGE_SIZE: "1024" }).maxMessageSize).toBe(1024);
  });
});

describe("loadRpcConfig: an HTTP RPC URL with extras", () => {
  it.each(["http://127.0.0.1:1/x?y=1", "http://127.0.0.1:1/x#top", "http://user@127.0.0.1:1/x", "http://:pass@127.0.0.1:1/x"])(
    "refuses %s: anycable-go would not post there",
    (raw) => {
      expect(() => loadRpcConfig({ ANYCABLE_RPC_HOST: raw })).toThrow(
        new ConfigError(
          "Invalid RPC server configuration:\n  ANYCABLE_RPC_HOST: an HTTP RPC URL has no query, fragment or credentials: http://host:port/mount-path",
        ),
      );
    },
  );
});

describe("loadRpcConfig: addresses it cannot bind", () => {
  // "a:b" is no host; "1e3" and "0x50" are numbers to Number() but not a port written in digits; an
  // http:// URL counts as one only at the start.
  it.each([
    "http://[::1",
    "http://exa mple.com:80",
    "127.0.0.1:65536",
    "127.0.0.1",
    ":50051",
    "a:b:50051",
    "127.0.0.1:1e3",
    "127.0.0.1:0x50",
    "grpc://http://127.0.0.1:1",
  ])("refuses %s, saying what it expects", (raw) => {
    expect(() => loadRpcConfig({ ANYCABLE_RPC_HOST: raw })).toThrow(
      new ConfigError(
        "Invalid RPC server configuration:\n  ANYCABLE_RPC_HOST: expected host:port, e.g. 127.0.0.1:50051 or [::]:50051, or an HTTP RPC URL, e.g. http://127.0.0.1:8080/_anycable",
      ),
    );
  });
});

describe("loadRpcConfig: TLS", () => {
  const CERT = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
  const KEY = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n";

  it("takes the certificate and key as PEM text, and serves plaintext without them", () => {
    expect(loadRpcConfig({ ANYCABLE_RPC_TLS_CERT: CERT, ANYCABLE_RPC_TLS_KEY: KEY }).tls).toEqual({ cert: CERT, key: KEY });
    expect(loadRpcConfig({}).tls).toBeUndefined();
  });

  it("refuses a certificate without its key, an unreadable file, and TLS for HTTP RPC", () => {
    expect(() => loadRpcConfig({ ANYCABLE_RPC_TLS_KEY: KEY })).toThrow(/ANYCABLE_RPC_TLS_CERT and ANYCABLE_RPC_TLS_KEY: set both/);
    expect(() => loadRpcConfig({ ANYCABLE_RPC_TLS_CERT: "/nonexistent/cert.pem", ANYCABLE_RPC_TLS_KEY: KEY })).toThrow(
      /ANYCABLE_RPC_TLS_CERT: cannot read \/nonexistent\/cert\.pem: ENOENT/,
    );
    expect(() =>
      loadRpcConfig({ ANYCABLE_RPC_HOST: "http://127.0.0.1:8080/_anycable", ANYCABLE_RPC_TLS_CERT: CERT, ANYCABLE_RPC_TLS_KEY: KEY }),
    ).toThrow(
      new ConfigError(
        "Invalid RPC server configuration:\n  ANYCABLE_RPC_TLS_CERT: TLS is for the gRPC server; HTTP RPC speaks plain HTTP (terminate TLS in front of it)",
      ),
    );
  });

  it("reads the health probe's root CA as PEM text or a path, undefined when unset or blank", () => {
    expect(loadRpcTlsRootCa({ ANYCABLE_RPC_TLS_ROOT_CA: CERT })).toBe(CERT);
    expect(loadRpcTlsRootCa({ ANYCABLE_RPC_TLS_ROOT_CA: "package.json" })).toContain('"name": "anycable-ts"');
    expect(loadRpcTlsRootCa({ ANYCABLE_RPC_TLS_ROOT_CA: " " })).toBeUndefined();
    expect(() => loadRpcTlsRootCa({ ANYCABLE_RPC_TLS_ROOT_CA: "/nonexistent/ca.pem" })).toThrow(
      /^Invalid RPC health check configuration:\n {2}ANYCABLE_RPC_TLS_ROOT_CA: cannot read \/nonexistent\/ca\.pem/,
    );
  });
});

describe("configErrorFrom", () => {
  it("names each offending variable, and the environment as a whole when no variable is to blame", () => {
    const whole = z.object({ A: z.string() }).safeParse("not an object");
    const field = z.object({ A: z.string() }).safeParse({});
    expect(whole.success || field.success).toBe(false);
    if (whole.success || field.success) return;
    expect(configErrorFrom(whole.error, "demo").message).toMatch(/^Invalid demo configuration:\n {2}\(environment\): /);
    expect(configErrorFrom(field.error, "demo").message).toMatch(/^Invalid demo configuration:\n {2}A: /);
    expect(configErrorFrom(field.error, "demo")).toBeInstanceOf(ConfigError);
  });
});
