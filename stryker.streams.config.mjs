// Mutation testing of src/streams against its own tests (see vitest.mutation.streams.config.ts), one or a few
// files at a time: `npx stryker run stryker.streams.config.mjs --mutate src/streams/<file>.ts --timeoutMS 60000`.
// scripts/mutation.sh picks it for the folder (`npm run test:mutation -- streams`).
import base from "./stryker.config.mjs";

/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  ...base,
  vitest: { configFile: "vitest.mutation.streams.config.ts" },
  incrementalFile: "test/mutation/streams.incremental.json",
};
