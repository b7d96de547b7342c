import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const source = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

// The tests Stryker runs against each mutant of the bridge's core (stryker.channels.config.mjs):
// the unit tests of channels/bridge and channels/media-stream, in-process. The bridge's
// integration tests start anycable-go per file, too slow for hundreds of mutants on 2 cores.
export default defineConfig({
  // As in vitest.config.ts: the application imports the framework by its package name.
  resolve: {
    alias: [
      { find: /^anycable-ts$/, replacement: source("./src/index.ts") },
      { find: /^anycable-ts\/testing$/, replacement: source("./src/testing/index.ts") },
      { find: /^anycable-ts\/cable-ready$/, replacement: source("./src/cable-ready/index.ts") },
    ],
  },
  test: {
    environment: "node",
    include: ["test/unit/channels/{bridge,media-stream}/**/*.test.ts"],
    testTimeout: 20_000,
    setupFiles: ["test/support/vitest-setup.ts"],
  },
});
