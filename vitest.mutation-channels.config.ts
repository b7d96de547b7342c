import { defineConfig } from "vitest/config";
import { packageAliases } from "./test/support/package-aliases.js";

// The tests Stryker runs against each mutant of the bridge's core (stryker.channels.config.mjs):
// the unit tests of channels/bridge and channels/media-stream, in-process. The bridge's
// integration tests start anycable-go per file, too slow for hundreds of mutants on 2 cores.
export default defineConfig({
  resolve: { alias: packageAliases },
  test: {
    environment: "node",
    include: ["test/unit/channels/{bridge,media-stream}/**/*.test.ts"],
    testTimeout: 20_000,
    setupFiles: ["test/support/vitest-setup.ts"],
  },
});
