import { defineConfig } from "vitest/config";
import base from "./vitest.mutation.config.js";

// src/broadcast's pure modules (payload, errors, redact, env schemas, config, adapter, factory)
// judged by test/unit/broadcast alone (stryker.broadcast-unit.config.mjs). With the transports'
// tests included, every mutant of a helper they call (asError, redactUrl) also re-ran tests that
// start nats-server and redis-server: about a minute per mutant on the shared 2-core host. The
// score this config gives is a lower bound: a mutant it lets survive may still be killed by
// test/integration/broadcast/transports.test.ts (stryker.broadcast.config.mjs).
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ["test/unit/broadcast/**/*.test.ts"],
  },
});
