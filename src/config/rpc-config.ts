import { z } from "zod";
import { ConfigError, configErrorFrom } from "./errors.js";
import { envPositiveInt, nonEmpty } from "./env.js";
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
  ANYCABLE_RPC_MAX_MESSAGE_SIZE: envPositiveInt.default(16 * 1024 * 1024),
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
  /** Largest request or response message in bytes (an HTTP RPC request body too); bigger ones are refused. */
  maxMessageSize: number;
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
  const picked = Object.fromEntries(Object.keys(schema.shape).map((key) => [key, nonEmpty(env, key)]));
  const parsed = schema.safeParse(picked);
  if (!parsed.success) throw configErrorFrom(parsed.error, "RPC server");
  const c = parsed.data;
  const address = c.ANYCABLE_RPC_HOST;
  const mount = c.ANYCABLE_HTTP_RPC_MOUNT_PATH;
  if (mount !== undefined && address.path && address.path !== mount) {
    throw new ConfigError(
      `Invalid RPC server configuration:\n  ANYCABLE_HTTP_RPC_MOUNT_PATH: ${mount} differs from the path of ANYCABLE_RPC_HOST (${address.path}); set one of them`,
    );
  }
  const transport: RpcTransport = address.transport === "http" || mount !== undefined ? "http" : "grpc";
  const http = httpRpcConfig(c.ANYCABLE_HTTP_RPC_SECRET, c.ANYCABLE_SECRET, mount ?? address.path ?? DEFAULT_HTTP_RPC_MOUNT_PATH);
  if (transport === "http" && http.secretSource === "unset" && !isLoopback(address.host)) {
    throw new ConfigError(
      `Invalid RPC server configuration:\n  ANYCABLE_HTTP_RPC_SECRET: HTTP RPC on ${address.host} would run anyone's commands; set ANYCABLE_HTTP_RPC_SECRET (or ANYCABLE_SECRET, as anycable-go's --secret), or "none" to accept unauthenticated requests knowingly`,
    );
  }
  return {
    transport,
    host: address.host,
    maxMessageSize: c.ANYCABLE_RPC_MAX_MESSAGE_SIZE,
    shutdownTimeoutSeconds: c.ANYCABLE_RPC_SHUTDOWN_TIMEOUT,
    maxConcurrentStreams: c.ANYCABLE_RPC_MAX_CONCURRENT_STREAMS,
    http,
  };
}

/**
 * Just the HTTP RPC secret from the environment, for a handler mounted in an application's own
 * server (which binds no address of ours): ANYCABLE_HTTP_RPC_SECRET, else derived from ANYCABLE_SECRET.
 */
export function loadHttpRpcSecret(env: NodeJS.ProcessEnv = process.env): Pick<HttpRpcConfig, "secret" | "secretSource"> {
  const { secret, secretSource } = httpRpcConfig(nonEmpty(env, "ANYCABLE_HTTP_RPC_SECRET"), nonEmpty(env, "ANYCABLE_SECRET"), "");
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

function isLoopback(hostPort: string): boolean {
  const host = hostPort.slice(0, hostPort.lastIndexOf(":")).replace(/^\[|\]$/g, "");
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}
