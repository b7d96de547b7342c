// src/broadcast's pure modules against test/unit/broadcast only (see vitest.mutation.broadcast-unit.config.ts),
// into the same incremental file as stryker.broadcast.config.mjs: `npx stryker run
// stryker.broadcast-unit.config.mjs --mutate src/broadcast/payload.ts`.
import broadcast from "./stryker.broadcast.config.mjs";

/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  ...broadcast,
  vitest: { configFile: "vitest.mutation.broadcast-unit.config.ts" },
};
