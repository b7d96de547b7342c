import { defineConfig } from "vitest/config";
import base from "./vitest.mutation.config.js";

// src/cable judged by the tests that use it (stryker.cable.config.mjs): its own unit tests, the
// RPC layer's (which drive connections and channels through every callback) and Cable Ready's
// (its stream channel is a Channel). Not the broadcast tests: their transports start real brokers
// and assert what the broadcaster does, never what a connection or channel does; with them the
// dry run outlasted five minutes at a load of 20 on 2 cores.
//
// CABLE_MUTATION_OWN_TESTS=1 narrows it to test/unit/cable, for the small files that have tests of
// their own there (rescue, identifiers, errors…): each mutant then re-imports a few fast files
// instead of the RPC transports' (30 s a mutant at a load of 25, ~2 h for 200 mutants). A score
// measured that way can only be lower than with the wider set, never higher.
const ownTestsOnly = process.env.CABLE_MUTATION_OWN_TESTS === "1";

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ownTestsOnly ? ["test/unit/cable/**/*.test.ts"] : ["test/unit/{cable,rpc,cable-ready}/**/*.test.ts"],
  },
});
