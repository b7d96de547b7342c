// `anycable-ts health-check`: a probe for container orchestrators (Docker HEALTHCHECK, a
// Kubernetes exec probe) that asks the standard gRPC health service of the RPC server at
// ANYCABLE_RPC_HOST whether `anycable.RPC` is SERVING. A draining server answers NOT_SERVING.
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { protoPath as healthProtoPath } from "grpc-health-check";
import { isConfigError } from "../config/errors.js";
import { loadRpcConfig } from "../config/rpc-config.js";
import { SERVICE_NAME } from "../rpc/server.js";

const TIMEOUT_MS = 3_000;

type HealthClient = grpc.Client & {
  check(
    request: { service: string },
    options: grpc.CallOptions,
    callback: (error: grpc.ServiceError | null, response?: { status: string }) => void,
  ): void;
};

/** Resolves with the exit code: 0 when serving, 1 otherwise (with the reason on stderr). */
export async function healthCheck(env: NodeJS.ProcessEnv): Promise<number> {
  let host: string;
  try {
    host = loadRpcConfig(env).host;
  } catch (error) {
    if (!isConfigError(error)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 1;
  }
  // A server bound to every interface is probed on loopback.
  const target = host.replace(/^0\.0\.0\.0:/, "127.0.0.1:").replace(/^\[::\]:/, "[::1]:");
  const definition = protoLoader.loadSync(healthProtoPath, { keepCase: true, enums: String, defaults: true });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    grpc: { health: { v1: { Health: new (address: string, credentials: grpc.ChannelCredentials) => HealthClient } } };
  };
  const client = new loaded.grpc.health.v1.Health(target, grpc.credentials.createInsecure());
  try {
    const status = await new Promise<string>((resolve, reject) => {
      client.check({ service: SERVICE_NAME }, { deadline: Date.now() + TIMEOUT_MS }, (error, response) =>
        error ? reject(error) : resolve(response?.status ?? "UNKNOWN"),
      );
    });
    if (status === "SERVING") {
      process.stdout.write(`${SERVICE_NAME} at ${target}: SERVING\n`);
      return 0;
    }
    process.stderr.write(`${SERVICE_NAME} at ${target}: ${status}\n`);
    return 1;
  } catch (error) {
    process.stderr.write(`${SERVICE_NAME} at ${target}: unreachable (${error instanceof Error ? error.message : String(error)})\n`);
    return 1;
  } finally {
    client.close();
  }
}
