// Mutation testing of src/testing against its own tests (see vitest.mutation.testing.config.ts), one or a few
// files at a time: `npx stryker run stryker.testing.config.mjs --mutate src/testing/<file>.ts --timeoutMS 60000`.
// scripts/mutation.sh picks it for the folder (`npm run test:mutation -- testing`).
import base from "./stryker.config.mjs";

/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  ...base,
  vitest: { configFile: "vitest.mutation.testing.config.ts" },
  incrementalFile: "test/mutation/testing.incremental.json",
};
