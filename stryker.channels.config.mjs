// Mutation testing of the sample application's bridge core (`npm run test:mutation --
// channels/bridge channels/media-stream`): the settings of stryker.config.mjs, with the
// application's own unit tests and a type-check that sees channels/ and the framework it imports.
import base from "./stryker.config.mjs";

/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  ...base,
  vitest: { configFile: "vitest.mutation-channels.config.ts" },
  tsconfigFile: "tsconfig.mutation-channels.json",
  mutate: ["channels/bridge/**/*.ts", "channels/media-stream/**/*.ts", "!channels/bridge/main.ts"],
};
