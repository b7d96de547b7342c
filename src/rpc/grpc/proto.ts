import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";

export const PROTO_PATH = fileURLToPath(new URL("../../../protos/rpc.proto", import.meta.url));

/** Options every peer of anycable-go must use: snake_case fields and zero values filled in. */
export const PROTO_LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: Number,
  enums: Number,
  defaults: true,
  arrays: true,
  objects: true,
};

let cached: grpc.ServiceClientConstructor | undefined;

/** A client constructor for `anycable.RPC` from protos/rpc.proto, for tests and benchmarks. */
export function rpcClientConstructor(): grpc.ServiceClientConstructor {
  if (!cached) {
    const packageDefinition = protoLoader.loadSync(PROTO_PATH, PROTO_LOADER_OPTIONS);
    const loaded = grpc.loadPackageDefinition(packageDefinition) as unknown as {
      anycable: { RPC: grpc.ServiceClientConstructor };
    };
    cached = loaded.anycable.RPC;
  }
  return cached;
}

/** The `anycable.RPC` service definition the server implements. */
export function rpcServiceDefinition(): grpc.ServiceDefinition {
  return rpcClientConstructor().service;
}
