import { defineConfig } from "vitest/config";

// The tests Stryker runs against each mutant of src/ (`npm run test:mutation`): unit tests
// only, in-process and fast. Integration and e2e tests start real servers in child processes,
// which neither see a mutant's coverage nor fit a run of thousands of mutants on 2 cores.
// test/unit/support checks the helpers that spawn those servers and has nothing to say about src/.
export default defineConfig({
  test: {
    environment: "node",
    include: ["test/unit/**/*.test.ts"],
    exclude: ["test/unit/support/**"],
    testTimeout: 20_000,
    setupFiles: ["test/support/vitest-setup.ts"],
  },
});
