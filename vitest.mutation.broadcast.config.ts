import { defineConfig } from "vitest/config";
import base from "./vitest.mutation.config.js";

// src/broadcast judged by its own tests only (stryker.broadcast.config.mjs). With the shared
// config every test that reaches the broadcaster through src/rpc or src/cable ran per mutant too
// (283 tests, 87 s for the dry run on a busy host), though none of them asserts what the
// broadcaster does: the unit tests of test/unit/broadcast and the transports' own tests do.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ["test/unit/broadcast/**/*.test.ts", "test/integration/broadcast/transports.test.ts"],
  },
});
