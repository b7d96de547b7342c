// Mutation testing of src/cable-ready against its own tests (see vitest.mutation.cable-ready.config.ts),
// a few files at a time: `npx stryker run stryker.cable-ready.config.mjs --mutate src/cable-ready/html.ts
// --incrementalFile test/mutation/cable-ready.incremental.json`. scripts/mutation.sh picks it for the folder.
import base from "./stryker.config.mjs";

/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  ...base,
  vitest: { configFile: "vitest.mutation.cable-ready.config.ts" },
  incrementalFile: "test/mutation/cable-ready.incremental.json",
  // The dry run outlasted Stryker's default 5 minutes on the shared 2-core host at a load of 20.
  dryRunTimeoutMinutes: 30,
};
