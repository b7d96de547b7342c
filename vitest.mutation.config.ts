import { defineConfig } from "vitest/config";

// The tests Stryker runs against each mutant of src/ (`npm run test:mutation`): the unit tests that
// mirror src/, in-process and fast, plus the broadcast transports' tests (see include). Other
// integration and e2e tests start the code under test in child processes, which neither see a
// mutant's coverage nor fit a run of thousands of mutants on 2 cores. The application's unit tests
// (test/unit/channels, simulator) reach src/ too, but load far more per mutant than they add, and
// test/unit/support checks the helpers that spawn servers.
export default defineConfig({
  test: {
    environment: "node",
    include: [
      "test/unit/{rpc,cable,broadcast,cable-ready}/**/*.test.ts",
      // The adapters' transports (NATS, Redis, HTTP) run in this process against real brokers that
      // these files start: only they reach the transports' code. Not anycable-go.test.ts, which
      // adds nothing to the transports' coverage but an anycable-go per run.
      "test/integration/broadcast/{adapters,faults,transports}.test.ts",
    ],
    testTimeout: 20_000,
    setupFiles: ["test/support/vitest-setup.ts"],
    // As in vitest.config.ts: @anycable/serverless-js ships extensionless ESM imports.
    server: { deps: { inline: ["@anycable/serverless-js"] } },
  },
});
