import { defineConfig } from "vitest/config";
import base from "./vitest.mutation.config.js";

// src/rpc's transports (grpc/, http/, start-server.ts) judged by the rpc tests only
// (stryker.rpc-transports.config.mjs). Only test/unit/rpc reaches those files; the shared config's
// dry run also starts NATS and Redis for the broadcast transport tests, which on a loaded host
// timed out before a single mutant ran. dispatch/ and mapping/ keep the shared config: the cable
// tests reach them through TestCable and may be the ones that kill a mutant there.
//
// RPC_MUTATION_TESTS (comma-separated globs) narrows it further, e.g. to test/unit/rpc/grpc/** for
// grpc/server.ts on a loaded host: every covering test file is re-imported for every mutant, so
// fewer files means minutes instead of hours. Narrower can only let more mutants survive, never
// fewer; say which tests judged a file when you report its score.
const narrowed = process.env.RPC_MUTATION_TESTS?.split(",").filter((glob) => glob !== "");

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: narrowed?.length ? narrowed : ["test/unit/rpc/**/*.test.ts"],
  },
});
