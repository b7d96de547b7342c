// Mutation testing of src/broadcast against its own tests (see vitest.mutation.broadcast.config.ts),
// one file at a time: `npx stryker run stryker.broadcast.config.mjs --mutate src/broadcast/nats.ts
// --incrementalFile test/mutation/broadcast.incremental.json`.
import base from "./stryker.config.mjs";

/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  ...base,
  vitest: { configFile: "vitest.mutation.broadcast.config.ts" },
  incrementalFile: "test/mutation/broadcast.incremental.json",
};
