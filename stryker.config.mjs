// Mutation testing of src/ (`npm run test:mutation`, see scripts/mutation.sh and README).
// scripts/mutation.sh runs one folder at a time, each with its own incremental file, so the
// machine never holds more than one Vitest worker and a folder's results survive other runs.
/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  vitest: { configFile: "vitest.mutation.config.ts" },
  checkers: ["typescript"],
  tsconfigFile: "tsconfig.mutation.json",
  // Each mutant runs only the tests that executed its code in the dry run.
  coverageAnalysis: "perTest",
  concurrency: 1,
  // A mutant that loops or never settles a promise is a timeout (counted as detected) after this
  // much beyond the dry run's time. On the shared 2-core machine a healthy re-run of the covering
  // tests can take several seconds more than the dry run did: at 3 s, mutants that merely waited
  // for the CPU (a log argument, an error class's name) were counted as detected.
  timeoutMS: 10_000,
  // The sandbox needs the sources and tests only: not the 32 MB anycable-go binary or docs.
  // .stryker-tmp*: the sandboxes of other runs going on beside this one (each has its own --tempDirName).
  ignorePatterns: ["bin", "docs", "bench", "dist", "tmp", "public", "test/mutation", "*.log", ".stryker-tmp*"],
  mutate: ["src/**/*.ts", "!src/index.ts", "!src/**/index.ts", "!src/cli/**"],
  incremental: true,
  incrementalFile: "test/mutation/all.incremental.json",
  reporters: ["clear-text", "progress"],
  clearTextReporter: { allowColor: false, logTests: false, reportMutants: false },
  thresholds: { high: 90, low: 85, break: null },
  tempDirName: ".stryker-tmp",
  cleanTempDir: "always",
};
