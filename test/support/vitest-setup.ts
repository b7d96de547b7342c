// Loaded into every test file (vitest.config.ts setupFiles). Its afterAll runs
// after the file's own hooks, and stops whatever the file left running, so a
// test that failed before its cleanup cannot leak servers into the next file
// that happens to share the worker. (Worker exit is covered by the registry.)
import { afterAll } from "vitest";

import { liveProcesses } from "./process.js";

afterAll(async () => {
  await Promise.all(liveProcesses().map((proc) => proc.stop({ timeoutMs: 2_000 })));
});
