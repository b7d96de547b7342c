// `anycable-ts health-check`: a probe for container orchestrators (Docker HEALTHCHECK, a
// Kubernetes exec probe) that asks the RPC server at ANYCABLE_RPC_HOST whether `anycable.RPC` is
// SERVING: the standard gRPC health service, or `GET /health` for RPC over HTTP. A draining
// server answers NOT_SERVING. A server with ANYCABLE_RPC_TLS_CERT/KEY is probed over TLS, trusting
// ANYCABLE_RPC_TLS_ROOT_CA (as anycable-go's --rpc_tls_root_ca), else that certificate file itself
// (enough for a self-signed certificate, or a file that carries its CA).
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { protoPath as healthProtoPath } from "grpc-health-check";
import { isConfigError } from "../config/errors.js";
import { loadRpcConfig, loadRpcTlsRootCa } from "../config/rpc-config.js";
import type { ProcessHost } from "../process/process-host.js";
import { SERVICE_NAME } from "../rpc/grpc/server.js";

const TIMEOUT_MS = 3_000;

type HealthClient = grpc.Client & {
  check(
    request: { service: string },
    options: grpc.CallOptions,
    callback: (error: grpc.ServiceError | null, response?: { status: string }) => void,
  ): void;
};

/** Resolves with the exit code: 0 when serving, 1 otherwise (with the reason on `io.stderr`). */
export async function healthCheck(env: NodeJS.ProcessEnv, io: Pick<ProcessHost, "stdout" | "stderr"> = process): Promise<number> {
  let host: string;
  let transport: "grpc" | "http";
  let credentials: grpc.ChannelCredentials;
  try {
    let tls: { cert: string } | undefined;
    ({ host, transport, tls } = loadRpcConfig(env));
    credentials = tls ? grpc.credentials.createSsl(Buffer.from(loadRpcTlsRootCa(env) ?? tls.cert)) : grpc.credentials.createInsecure();
  } catch (error) {
    if (!isConfigError(error)) throw error;
    io.stderr.write(`${error.message}\n`);
    return 1;
  }
  // A server bound to every interface is probed on loopback.
  const target = host.replace(/^0\.0\.0\.0:/, "127.0.0.1:").replace(/^\[::\]:/, "[::1]:");
  const status = await (transport === "http" ? httpStatus(target) : grpcStatus(target, credentials)).catch(
    (error: unknown) => `unreachable (${error instanceof Error ? error.message : String(error)})`,
  );
  if (status === "SERVING") {
    io.stdout.write(`${SERVICE_NAME} at ${target}: SERVING\n`);
    return 0;
  }
  io.stderr.write(`${SERVICE_NAME} at ${target}: ${status}\n`);
  return 1;
}

async function httpStatus(target: string): Promise<string> {
  const response = await fetch(`http://${target}/health`, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  const body = (await response.json().catch(() => ({}))) as { status?: unknown };
  return typeof body.status === "string" ? body.status : `HTTP ${response.status}`;
}

async function grpcStatus(target: string, credentials: grpc.ChannelCredentials): Promise<string> {
  const definition = protoLoader.loadSync(healthProtoPath, { keepCase: true, enums: String, defaults: true });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    grpc: { health: { v1: { Health: new (address: string, credentials: grpc.ChannelCredentials) => HealthClient } } };
  };
  const client = new loaded.grpc.health.v1.Health(target, credentials);
  try {
    return await new Promise<string>((resolve, reject) => {
      client.check({ service: SERVICE_NAME }, { deadline: Date.now() + TIMEOUT_MS }, (error, response) =>
        error ? reject(error) : resolve(response?.status ?? "UNKNOWN"),
      );
    });
  } finally {
    client.close();
  }
}
