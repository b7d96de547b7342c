import { readFileSync } from "node:fs";
import { z } from "zod";
import { ConfigError, configErrorFrom } from "./errors.js";
import { envPositiveInt, nonEmpty } from "./env.js";

const hostPort = z
  .string()
  .trim()
  .transform((raw) => raw.replace(/^(grpc|tcp|dns):\/\/\/?/, ""))
  .refine((v) => /^(\[[0-9a-fA-F:.]+\]|[^:\s/]+):\d{1,5}$/.test(v) && Number(v.slice(v.lastIndexOf(":") + 1)) <= 65535, {
    message: "expected host:port, e.g. 127.0.0.1:50051 or [::]:50051",
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

const schema = z.object({
  ANYCABLE_RPC_HOST: hostPort.default("127.0.0.1:50051"),
  ANYCABLE_RPC_MAX_MESSAGE_SIZE: envPositiveInt.default(DEFAULT_MAX_MESSAGE_SIZE),
  ANYCABLE_RPC_MAX_REQUEST_ENTRIES: envPositiveInt.default(DEFAULT_MAX_REQUEST_ENTRIES),
  ANYCABLE_RPC_TLS_CERT: pemOrPath.optional(),
  ANYCABLE_RPC_TLS_KEY: pemOrPath.optional(),
  ANYCABLE_RPC_SHUTDOWN_TIMEOUT: envPositiveInt.default(10),
  ANYCABLE_RPC_MAX_CONCURRENT_STREAMS: envPositiveInt.optional(),
});

export interface RpcConfig {
  /** Address the gRPC server binds, host:port. */
  host: string;
  /** Largest request or response message in bytes; a bigger request gets RESOURCE_EXHAUSTED, a bigger reply is replaced by an error. */
  maxMessageSize: number;
  /** Most fields a request may carry, map entries included; decoding is refused beyond it. */
  maxRequestEntries: number;
  /** Serve gRPC over TLS (anycable-go --rpc_enable_tls / --rpc_tls_root_ca); undefined: plaintext. */
  tls: { cert: string; key: string } | undefined;
  /** Seconds to let in-flight calls finish on SIGTERM before forcing the server down. */
  shutdownTimeoutSeconds: number;
  /** HTTP/2 concurrent streams per connection; unset means grpc-js's default (no limit). */
  maxConcurrentStreams: number | undefined;
}

export function loadRpcConfig(env: NodeJS.ProcessEnv = process.env): RpcConfig {
  const picked = Object.fromEntries(Object.keys(schema.shape).map((key) => [key, nonEmpty(env, key)]));
  const parsed = schema.safeParse(picked);
  if (!parsed.success) throw configErrorFrom(parsed.error, "RPC server");
  const c = parsed.data;
  if ((c.ANYCABLE_RPC_TLS_CERT === undefined) !== (c.ANYCABLE_RPC_TLS_KEY === undefined)) {
    throw new ConfigError(
      "Invalid RPC server configuration:\n  ANYCABLE_RPC_TLS_CERT and ANYCABLE_RPC_TLS_KEY: set both (a certificate and its private key, as paths or PEM) or neither",
    );
  }
  return {
    host: c.ANYCABLE_RPC_HOST,
    maxMessageSize: c.ANYCABLE_RPC_MAX_MESSAGE_SIZE,
    maxRequestEntries: c.ANYCABLE_RPC_MAX_REQUEST_ENTRIES,
    tls: c.ANYCABLE_RPC_TLS_CERT && c.ANYCABLE_RPC_TLS_KEY ? { cert: c.ANYCABLE_RPC_TLS_CERT, key: c.ANYCABLE_RPC_TLS_KEY } : undefined,
    shutdownTimeoutSeconds: c.ANYCABLE_RPC_SHUTDOWN_TIMEOUT,
    maxConcurrentStreams: c.ANYCABLE_RPC_MAX_CONCURRENT_STREAMS,
  };
}
