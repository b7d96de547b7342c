// Mutation testing of src/jwt against its own tests (see vitest.mutation.jwt.config.ts), one or a few
// files at a time: `npx stryker run stryker.jwt.config.mjs --mutate src/jwt/<file>.ts --timeoutMS 60000`.
// scripts/mutation.sh picks it for the folder (`npm run test:mutation -- jwt`).
import base from "./stryker.config.mjs";

/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  ...base,
  vitest: { configFile: "vitest.mutation.jwt.config.ts" },
  incrementalFile: "test/mutation/jwt.incremental.json",
};
