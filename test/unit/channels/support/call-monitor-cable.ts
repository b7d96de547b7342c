// The call monitor under anycable-ts/testing, as its author tests it: the application built
// around a registry the test can read, with the framework's recording broadcaster and logs.
import type { Publication } from "../../../../src/broadcast/broadcaster.js";
import { createTestCable, type TestCable } from "../../../../src/testing/index.js";
import { createCallMonitorApplication } from "../../../../channels/app.js";
import { MemoryCallRegistry } from "../../../../channels/calls/memory-call-registry.js";
import { APP_ENV } from "./call-monitor-rpc.js";

export interface CallMonitorCable {
  cable: TestCable;
  registry: MemoryCallRegistry;
}

/** Builds the call monitor with `env`; rejects as the application's factory throws on a bad environment. */
export async function callMonitorCable(env: NodeJS.ProcessEnv = APP_ENV): Promise<CallMonitorCable> {
  const registry = new MemoryCallRegistry();
  const cable = await createTestCable(({ env, logger }) => createCallMonitorApplication({ env, logger, registry }), { env });
  return { cable, registry };
}

/** The Cable Ready operations published to `stream`, in order. */
export function operationsOn(broadcasts: { all: readonly Publication[] }, stream: string): Array<Record<string, unknown>> {
  return broadcasts.all
    .filter((publication) => publication.stream === stream)
    .flatMap((publication) => (JSON.parse(publication.data) as { operations: Array<Record<string, unknown>> }).operations);
}
