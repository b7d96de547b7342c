// Mutation testing of src/config against its own tests (see vitest.mutation.config.config.ts), one or a few
// files at a time: `npx stryker run stryker.config.config.mjs --mutate src/config/<file>.ts --timeoutMS 60000`.
// scripts/mutation.sh picks it for the folder (`npm run test:mutation -- config`).
import base from "./stryker.config.mjs";

/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  ...base,
  vitest: { configFile: "vitest.mutation.config.config.ts" },
  incrementalFile: "test/mutation/config.incremental.json",
};
