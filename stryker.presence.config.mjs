// Mutation testing of src/presence against its own tests (see vitest.mutation.presence.config.ts), one or a few
// files at a time: `npx stryker run stryker.presence.config.mjs --mutate src/presence/<file>.ts --timeoutMS 60000`.
// scripts/mutation.sh picks it for the folder (`npm run test:mutation -- presence`).
import base from "./stryker.config.mjs";

/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  ...base,
  vitest: { configFile: "vitest.mutation.presence.config.ts" },
  incrementalFile: "test/mutation/presence.incremental.json",
};
