import { defineConfig } from "vitest/config";
import base from "./vitest.mutation.config.js";

// src/logging judged by its own unit tests (stryker.logging.config.mjs): test/unit/logging mirrors the folder and
// is the only in-process suite that asserts what it does. A narrower set can only lower a score.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ["test/unit/logging/**/*.test.ts"],
  },
});
