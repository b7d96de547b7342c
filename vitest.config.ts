import { defineConfig } from "vitest/config";
import { packageAliases } from "./test/support/package-aliases.js";
import { coverageFloors } from "./test/coverage-floors.js";

// Integration and e2e tests start real processes (anycable-go, redis-server,
// nats-server, chromium, the RPC server) on a 2-core machine, so timeouts are
// generous and parallelism is capped. Projects run in groupOrder: fast unit
// tests first, then integration, then e2e one file at a time (browsers are the
// heaviest thing we start). No retries: a flaky test must show as failing.
export default defineConfig({
  resolve: { alias: packageAliases },
  test: {
    // Test files live in test/{unit,integration,e2e}/**/*.test.ts, one project
    // each (below). No root `include`: with `extends: true` Vitest concatenates
    // arrays, so a root include would pull every file into every project.
    environment: "node",
    // forks, not threads: each test file gets its own process, so the process
    // registry in test/support/process.ts can reap that file's children when
    // the worker exits, however it exits.
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    teardownTimeout: 20_000,
    retry: 0,
    setupFiles: ["test/support/vitest-setup.ts"],
    // @anycable/serverless-js 0.1.0 ships ESM with extensionless relative imports, which Node's
    // resolver refuses; inlined, Vite resolves them (tests check interoperability with it).
    server: { deps: { inline: ["@anycable/serverless-js"] } },
    // On for a full `npm test` (scripts/test.sh passes --coverage); a run of a few files would
    // fall short of the per-folder floors in test/coverage-floors.ts.
    coverage: {
      provider: "v8",
      include: ["src/**/*.ts", "channels/**/*.ts"],
      // The dashboard's client code runs in Chromium, out of V8 coverage's reach.
      exclude: ["test/**", "channels/web/client/**"],
      reporter: ["json-summary", "html"],
      reportsDirectory: "coverage",
      reportOnFailure: true,
      thresholds: Object.fromEntries(
        Object.entries(coverageFloors).map(([folder, floor]) => [`${folder}/**`, { lines: floor.lines, branches: floor.branches }]),
      ),
    },
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          fileParallelism: false,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
