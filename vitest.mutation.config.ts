import { defineConfig } from "vitest/config";

// The tests Stryker runs against each mutant of src/ (`npm run test:mutation`): the unit tests that
// mirror src/, in-process and fast, plus the broadcast transports' own tests (see include). Other
// integration and e2e tests start the code under test in child processes, which neither see a
// mutant's coverage nor fit a run of thousands of mutants on 2 cores. The application's unit tests
// (test/unit/channels) reach src/ too, but load far more per mutant than they add, and
// test/unit/support checks the helpers that spawn servers.
export default defineConfig({
  test: {
    environment: "node",
    include: [
      "test/unit/{rpc,cable,broadcast,cable-ready}/**/*.test.ts",
      // The adapters' transports (NATS, Redis, HTTP), each alone against a real broker that the
      // file starts, in this process. Not the other broadcast integration tests: they drive the
      // whole broadcaster through broker restarts, seconds per test, and would run for every mutant
      // of QueuedBroadcaster that the unit tests already judge.
      "test/integration/broadcast/transports.test.ts",
    ],
    testTimeout: 20_000,
    setupFiles: ["test/support/vitest-setup.ts"],
    // As in vitest.config.ts: @anycable/serverless-js ships extensionless ESM imports.
    server: { deps: { inline: ["@anycable/serverless-js"] } },
  },
});
