import { defineConfig } from "vitest/config";

// The tests Stryker runs against each mutant of src/ (`npm run test:mutation`): unit tests
// only, in-process and fast. Integration and e2e tests start real servers in child processes,
// which neither see a mutant's coverage nor fit a run of thousands of mutants on 2 cores.
// Only the unit tests that mirror src/ run: the application's (test/unit/channels)
// reach src/ too, but load far more per mutant than they add, and test/unit/support checks the
// helpers that spawn servers.
export default defineConfig({
  test: {
    environment: "node",
    include: ["test/unit/{rpc,cable,broadcast,cable-ready}/**/*.test.ts"],
    testTimeout: 20_000,
    setupFiles: ["test/support/vitest-setup.ts"],
    // As in vitest.config.ts: @anycable/serverless-js ships extensionless ESM imports.
    server: { deps: { inline: ["@anycable/serverless-js"] } },
  },
});
