// Mutation testing of src/logging against its own tests (see vitest.mutation.logging.config.ts), one or a few
// files at a time: `npx stryker run stryker.logging.config.mjs --mutate src/logging/<file>.ts --timeoutMS 60000`.
// scripts/mutation.sh picks it for the folder (`npm run test:mutation -- logging`).
import base from "./stryker.config.mjs";

/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  ...base,
  vitest: { configFile: "vitest.mutation.logging.config.ts" },
  incrementalFile: "test/mutation/logging.incremental.json",
};
