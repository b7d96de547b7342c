import { defineConfig } from "vitest/config";
import base from "./vitest.mutation.config.js";

// src/process judged by its own unit tests (stryker.process.config.mjs): test/unit/process mirrors the folder and
// is the only in-process suite that asserts what it does. A narrower set can only lower a score.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ["test/unit/process/**/*.test.ts"],
  },
});
