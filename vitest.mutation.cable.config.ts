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
//
// CABLE_MUTATION_TESTS=a.test.ts,b.test.ts (paths from the repository's root) narrows it further, to
// the test files written for one small module (json-object, rescue): at a load of 40 on 2 cores a
// mutant of json-object.ts re-imported every cable test file that touches a connection (1.4 min a
// mutant, a third of them Timeouts). The same rule holds: a narrower set can only lower a score.
const ownTestsOnly = process.env.CABLE_MUTATION_OWN_TESTS === "1";
const namedTests = process.env.CABLE_MUTATION_TESTS?.split(",").filter((file) => file !== "");

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include:
      namedTests !== undefined && namedTests.length > 0
        ? namedTests
        : ownTestsOnly
          ? ["test/unit/cable/**/*.test.ts"]
          : ["test/unit/{cable,rpc,cable-ready}/**/*.test.ts"],
  },
});
