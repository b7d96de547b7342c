import { readFileSync } from "node:fs";
import { z } from "zod";
import { ConfigError } from "./errors.js";
import { envPositiveInt, nonEmpty, parseEnv } from "./env.js";
import { isLoopbackHost } from "./loopback.js";
import { deriveHttpRpcSecret } from "../rpc/http/secret.js";

const HOST_PORT = /^(\[[0-9a-fA-F:.]+\]|[^:\s/]+):\d{1,5}$/;
const HOST_PORT_MESSAGE =
  "expected host:port, e.g. 127.0.0.1:50051 or [::]:50051, or an HTTP RPC URL, e.g. http://127.0.0.1:8080/_anycable";

const validPort = (hostPort: string): boolean => Number(hostPort.slice(hostPort.lastIndexOf(":") + 1)) <= 65535;

/** The RPC address, read the way anycable-go reads its --rpc_host: an http(s) URL means HTTP RPC. */
const rpcHost = z
  .string()
  .trim()
  .transform((raw, ctx) => {
    if (/^https?:\/\//i.test(raw)) {
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        ctx.addIssue({ code: "custom", message: HOST_PORT_MESSAGE });
        return z.NEVER;
      }
      if (url.protocol === "https:") {
        ctx.addIssue({
          code: "custom",
          message: "this server speaks plain HTTP: terminate TLS in front of it, or mount createHttpRpcHandler in your own HTTPS server",
        });
        return z.NEVER;
      }
      if (url.search || url.hash || url.username || url.password) {
        ctx.addIssue({ code: "custom", message: "an HTTP RPC URL has no query, fragment or credentials: http://host:port/mount-path" });
        return z.NEVER;
      }
      return { transport: "http" as const, host: `${url.hostname}:${url.port || "80"}`, path: url.pathname.replace(/\/+$/, "") };
    }
    const host = raw.replace(/^(grpc|tcp|dns):\/\/\/?/, "");
    if (!HOST_PORT.test(host) || !validPort(host)) {
      ctx.addIssue({ code: "custom", message: HOST_PORT_MESSAGE });
      return z.NEVER;
    }
    return { transport: "grpc" as const, host, path: undefined };
  });

// anycable-go's gRPC client accepts replies up to grpc-go's default of 4 MiB (its
// --rpc_max_call_recv_size is unset by default), so a larger reply could never be delivered, and
// nothing legitimate it sends comes near it (WebSocket messages are capped at 64 KiB).
export const DEFAULT_MAX_MESSAGE_SIZE = 4 * 1024 * 1024;
// Channel and connection state, headers and subscriptions: a real connection has dozens.
export const DEFAULT_MAX_REQUEST_ENTRIES = 4096;

/** A PEM file path or the PEM itself, as the anycable gem reads ANYCABLE_RPC_TLS_CERT/KEY. */
const pemOrPath = z.string().transform((value, ctx) => {
  if (value.includes("-----BEGIN")) return value;
  try {
    return readFileSync(value, "utf8");
  } catch (error) {
    ctx.addIssue({ code: "custom", message: `cannot read ${value}: ${error instanceof Error ? error.message : String(error)}` });
    return z.NEVER;
  }
});

const mountPath = z
  .string()
  .trim()
  .refine((v) => /^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/.test(v), { message: "expected a URL path, e.g. /_anycable" })
  .transform((v) => v.replace(/\/+$/, ""));

const schema = z.object({
  ANYCABLE_RPC_HOST: rpcHost.default({ transport: "grpc", host: "127.0.0.1:50051", path: undefined }),
  ANYCABLE_HTTP_RPC_MOUNT_PATH: mountPath.optional(),
  // Secrets are not trimmed: anycable-go must derive from exactly the same bytes.
  ANYCABLE_HTTP_RPC_SECRET: z.string().optional(),
  ANYCABLE_SECRET: z.string().optional(),
  ANYCABLE_RPC_MAX_MESSAGE_SIZE: envPositiveInt.default(DEFAULT_MAX_MESSAGE_SIZE),
  ANYCABLE_RPC_MAX_REQUEST_ENTRIES: envPositiveInt.default(DEFAULT_MAX_REQUEST_ENTRIES),
  ANYCABLE_RPC_TLS_CERT: pemOrPath.optional(),
  ANYCABLE_RPC_TLS_KEY: pemOrPath.optional(),
  ANYCABLE_RPC_SHUTDOWN_TIMEOUT: envPositiveInt.default(10),
  ANYCABLE_RPC_MAX_CONCURRENT_STREAMS: envPositiveInt.optional(),
});

export type RpcTransport = "grpc" | "http";

export interface RpcConfig {
  /**
   * How anycable-go reaches us, chosen as anycable-go chooses: an `http://` ANYCABLE_RPC_HOST (or
   * ANYCABLE_HTTP_RPC_MOUNT_PATH, the Ruby gem's switch) means HTTP RPC, anything else gRPC.
   */
  transport: RpcTransport;
  /** Address the server binds, host:port. */
  host: string;
  /**
   * Largest request or response message in bytes (an HTTP RPC request body too): a bigger request
   * is refused, a bigger gRPC reply is logged and replaced by an ERROR reply.
   */
  maxMessageSize: number;
  /** Most fields a request may carry, map entries included; decoding is refused beyond it. */
  maxRequestEntries: number;
  /** Serve gRPC over TLS (anycable-go --rpc_enable_tls / --rpc_tls_root_ca); undefined: plaintext. */
  tls: { cert: string; key: string } | undefined;
  /** Seconds to let in-flight calls finish on SIGTERM before forcing the server down. */
  shutdownTimeoutSeconds: number;
  /** HTTP/2 concurrent streams per connection; unset means grpc-js's default (no limit). */
  maxConcurrentStreams: number | undefined;
  http: HttpRpcConfig;
}

export interface HttpRpcConfig {
  /** Where anycable-go posts: `<mountPath>/connect`, `/command`, `/disconnect`; "" is the root. */
  mountPath: string;
  /** The bearer secret anycable-go sends; undefined accepts requests without one. */
  secret: string | undefined;
  /** Where the secret came from; "none" when switched off knowingly, "unset" when nothing was set. */
  secretSource: "ANYCABLE_HTTP_RPC_SECRET" | "ANYCABLE_SECRET" | "none" | "unset";
}

export const DEFAULT_HTTP_RPC_MOUNT_PATH = "/_anycable";

/** "none" is AnyCable's spelling for "explicitly no secret": no auth, no derivation. */
const NONE = "none";

export function loadRpcConfig(env: NodeJS.ProcessEnv = process.env): RpcConfig {
  const c = parseEnv(schema, env, "RPC server");
  if ((c.ANYCABLE_RPC_TLS_CERT === undefined) !== (c.ANYCABLE_RPC_TLS_KEY === undefined)) {
    throw new ConfigError(
      "Invalid RPC server configuration:\n  ANYCABLE_RPC_TLS_CERT and ANYCABLE_RPC_TLS_KEY: set both (a certificate and its private key, as paths or PEM) or neither",
    );
  }
  const address = c.ANYCABLE_RPC_HOST;
  const mount = c.ANYCABLE_HTTP_RPC_MOUNT_PATH;
  if (mount !== undefined && address.path && address.path !== mount) {
    throw new ConfigError(
      `Invalid RPC server configuration:\n  ANYCABLE_HTTP_RPC_MOUNT_PATH: ${mount} differs from the path of ANYCABLE_RPC_HOST (${address.path}); set one of them`,
    );
  }
  const transport: RpcTransport = address.transport === "http" || mount !== undefined ? "http" : "grpc";
  const http = httpRpcConfig(c.ANYCABLE_HTTP_RPC_SECRET, c.ANYCABLE_SECRET, mount ?? address.path ?? DEFAULT_HTTP_RPC_MOUNT_PATH);
  if (transport === "http" && http.secretSource === "unset" && !isLoopbackHost(address.host)) {
    throw new ConfigError(
      `Invalid RPC server configuration:\n  ANYCABLE_HTTP_RPC_SECRET: HTTP RPC on ${address.host} would run anyone's commands; set ANYCABLE_HTTP_RPC_SECRET (or ANYCABLE_SECRET, as anycable-go's --secret), or "none" to accept unauthenticated requests knowingly`,
    );
  }
  if (transport === "http" && c.ANYCABLE_RPC_TLS_CERT !== undefined) {
    throw new ConfigError(
      "Invalid RPC server configuration:\n  ANYCABLE_RPC_TLS_CERT: TLS is for the gRPC server; HTTP RPC speaks plain HTTP (terminate TLS in front of it)",
    );
  }
  return {
    transport,
    host: address.host,
    maxMessageSize: c.ANYCABLE_RPC_MAX_MESSAGE_SIZE,
    maxRequestEntries: c.ANYCABLE_RPC_MAX_REQUEST_ENTRIES,
    tls: c.ANYCABLE_RPC_TLS_CERT && c.ANYCABLE_RPC_TLS_KEY ? { cert: c.ANYCABLE_RPC_TLS_CERT, key: c.ANYCABLE_RPC_TLS_KEY } : undefined,
    shutdownTimeoutSeconds: c.ANYCABLE_RPC_SHUTDOWN_TIMEOUT,
    maxConcurrentStreams: c.ANYCABLE_RPC_MAX_CONCURRENT_STREAMS,
    http,
  };
}

const rootCaSchema = z.object({ ANYCABLE_RPC_TLS_ROOT_CA: pemOrPath.optional() });

/**
 * The CA a client of our gRPC server trusts (the health-check probe), under anycable-go's name for
 * the same thing (--rpc_tls_root_ca), as a path or PEM; undefined when unset.
 */
export function loadRpcTlsRootCa(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return parseEnv(rootCaSchema, env, "RPC health check").ANYCABLE_RPC_TLS_ROOT_CA;
}

/**
 * Just the HTTP RPC secret from the environment, for a handler mounted in an application's own
 * server (which binds no address of ours): ANYCABLE_HTTP_RPC_SECRET, else derived from ANYCABLE_SECRET.
 */
export function loadHttpRpcSecret(env: NodeJS.ProcessEnv = process.env): Pick<HttpRpcConfig, "secret" | "secretSource"> {
  const { secret, secretSource } = httpRpcConfig(
    nonEmpty(env, "ANYCABLE_HTTP_RPC_SECRET", "HTTP RPC handler"),
    nonEmpty(env, "ANYCABLE_SECRET", "HTTP RPC handler"),
    "",
  );
  return { secret, secretSource };
}

/**
 * The HTTP RPC secret as anycable-go resolves its own: `--http_rpc_secret`, else derived from
 * `--secret`. An explicit "none" (in either) turns authentication off instead of deriving.
 */
function httpRpcConfig(explicit: string | undefined, appSecret: string | undefined, mountPath: string): HttpRpcConfig {
  if (explicit !== undefined) {
    return explicit === NONE
      ? { mountPath, secret: undefined, secretSource: "none" }
      : { mountPath, secret: explicit, secretSource: "ANYCABLE_HTTP_RPC_SECRET" };
  }
  if (appSecret !== undefined && appSecret !== NONE) {
    return { mountPath, secret: deriveHttpRpcSecret(appSecret), secretSource: "ANYCABLE_SECRET" };
  }
  return { mountPath, secret: undefined, secretSource: appSecret === NONE ? "none" : "unset" };
}
