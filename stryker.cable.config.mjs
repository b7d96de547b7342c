// Mutation testing of src/cable against the tests that reach it (see vitest.mutation.cable.config.ts),
// a few files at a time: `npx stryker run stryker.cable.config.mjs --mutate src/cable/rescue.ts
// --incrementalFile test/mutation/cable.incremental.json`.
import base from "./stryker.config.mjs";

/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  ...base,
  vitest: { configFile: "vitest.mutation.cable.config.ts" },
  incrementalFile: "test/mutation/cable.incremental.json",
  // The dry run runs every covering test file once; on the shared 2-core host at a load of 20
  // it outlasted Stryker's default 5 minutes.
  dryRunTimeoutMinutes: 30,
};
