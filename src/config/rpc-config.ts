import { z } from "zod";
import { configErrorFrom } from "./errors.js";
import { envPositiveInt, nonEmpty } from "./env.js";

const hostPort = z
  .string()
  .trim()
  .transform((raw) => raw.replace(/^(grpc|tcp|dns):\/\/\/?/, ""))
  .refine((v) => /^(\[[0-9a-fA-F:.]+\]|[^:\s/]+):\d{1,5}$/.test(v) && Number(v.slice(v.lastIndexOf(":") + 1)) <= 65535, {
    message: "expected host:port, e.g. 127.0.0.1:50051 or [::]:50051",
  });

const schema = z.object({
  ANYCABLE_RPC_HOST: hostPort.default("127.0.0.1:50051"),
  ANYCABLE_RPC_MAX_MESSAGE_SIZE: envPositiveInt.default(16 * 1024 * 1024),
  ANYCABLE_RPC_SHUTDOWN_TIMEOUT: envPositiveInt.default(10),
  ANYCABLE_RPC_MAX_CONCURRENT_STREAMS: envPositiveInt.optional(),
});

export interface RpcConfig {
  /** Address the gRPC server binds, host:port. */
  host: string;
  /** Largest request or response message in bytes; bigger ones get RESOURCE_EXHAUSTED. */
  maxMessageSize: number;
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
  return {
    host: c.ANYCABLE_RPC_HOST,
    maxMessageSize: c.ANYCABLE_RPC_MAX_MESSAGE_SIZE,
    shutdownTimeoutSeconds: c.ANYCABLE_RPC_SHUTDOWN_TIMEOUT,
    maxConcurrentStreams: c.ANYCABLE_RPC_MAX_CONCURRENT_STREAMS,
  };
}
