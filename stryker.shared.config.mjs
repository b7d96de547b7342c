// Mutation testing of src/shared against its own tests (see vitest.mutation.shared.config.ts), one or a few
// files at a time: `npx stryker run stryker.shared.config.mjs --mutate src/shared/<file>.ts --timeoutMS 60000`.
// scripts/mutation.sh picks it for the folder (`npm run test:mutation -- shared`).
import base from "./stryker.config.mjs";

/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  ...base,
  vitest: { configFile: "vitest.mutation.shared.config.ts" },
  incrementalFile: "test/mutation/shared.incremental.json",
};
