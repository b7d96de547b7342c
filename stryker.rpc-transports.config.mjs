// Mutation testing of src/rpc's transports (grpc/, http/, start-server.ts) against the rpc tests
// only (see vitest.mutation.rpc.config.ts), one or a few files at a time:
// `npx stryker run stryker.rpc-transports.config.mjs --mutate src/rpc/grpc/server.ts
// --incrementalFile test/mutation/rpc.incremental.json --timeoutMS 60000`.
// Not named stryker.rpc.config.mjs on purpose: scripts/mutation.sh would then use it for the whole
// folder, and dispatch/ and mapping/ are also judged by the cable tests (shared config).
import base from "./stryker.config.mjs";

/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  ...base,
  vitest: { configFile: "vitest.mutation.rpc.config.ts" },
  incrementalFile: "test/mutation/rpc.incremental.json",
};
