import { defineConfig } from "vitest/config";
import base from "./vitest.mutation.config.js";

// src/streams judged by its own unit tests (stryker.streams.config.mjs): test/unit/streams mirrors the folder and
// is the only in-process suite that asserts what it does. A narrower set can only lower a score.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ["test/unit/streams/**/*.test.ts"],
  },
});
