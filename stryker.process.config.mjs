// Mutation testing of src/process against its own tests (see vitest.mutation.process.config.ts), one or a few
// files at a time: `npx stryker run stryker.process.config.mjs --mutate src/process/<file>.ts --timeoutMS 60000`.
// scripts/mutation.sh picks it for the folder (`npm run test:mutation -- process`).
import base from "./stryker.config.mjs";

/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  ...base,
  vitest: { configFile: "vitest.mutation.process.config.ts" },
  incrementalFile: "test/mutation/process.incremental.json",
};
