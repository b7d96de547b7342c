import { defineConfig } from "vitest/config";
import base from "./vitest.mutation.config.js";

// src/jwt judged by its own unit tests (stryker.jwt.config.mjs): test/unit/jwt mirrors the folder and
// is the only in-process suite that asserts what it does. A narrower set can only lower a score.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ["test/unit/jwt/**/*.test.ts"],
  },
});
