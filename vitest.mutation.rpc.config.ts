import { defineConfig } from "vitest/config";
import base from "./vitest.mutation.config.js";

// src/rpc's transports (grpc/, http/, start-server.ts) judged by the rpc tests only
// (stryker.rpc-transports.config.mjs). Only test/unit/rpc reaches those files; the shared config's
// dry run also starts NATS and Redis for the broadcast transport tests, which on a loaded host
// timed out before a single mutant ran. dispatch/ and mapping/ keep the shared config: the cable
// tests reach them through TestCable and may be the ones that kill a mutant there.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ["test/unit/rpc/**/*.test.ts"],
  },
});
