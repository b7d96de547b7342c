import { defineConfig } from "vitest/config";
import base from "./vitest.mutation.config.js";

// src/cable-ready judged by its own tests (stryker.cable-ready.config.mjs). With the shared config
// each mutant also re-imported the RPC and cable test files that reach Cable Ready through the
// stream channel (a minute a mutant at a load of 25 on 2 cores, against seconds for these eight
// files), though the behaviour each mutant changes is pinned here. A score measured this way can
// only be lower than with the wider set, never higher.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ["test/unit/cable-ready/**/*.test.ts"],
  },
});
