import { defineConfig } from "vitest/config";
import base from "./vitest.mutation.config.js";

// src/testing judged by its own unit tests (stryker.testing.config.mjs): test/unit/testing mirrors the folder and
// is the only in-process suite that asserts what it does. A narrower set can only lower a score.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ["test/unit/testing/**/*.test.ts"],
  },
});
