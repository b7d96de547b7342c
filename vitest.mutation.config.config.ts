import { defineConfig } from "vitest/config";
import base from "./vitest.mutation.config.js";

// src/config judged by its own unit tests (stryker.config.config.mjs): test/unit/config mirrors the folder and
// is the only in-process suite that asserts what it does. A narrower set can only lower a score.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ["test/unit/config/**/*.test.ts"],
  },
});
