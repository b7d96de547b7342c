import { silentLogger } from "../../../../src/index.js";
import { MemoryCallRegistry } from "../../../../channels/calls/memory-call-registry.js";
import { createDashboard, type Dashboard } from "../../../../channels/web/server.js";
import { RecordingBroadcaster } from "../../../fixtures/recording-broadcaster.js";

export const SECRET = "s3cЯeT";
export const ORIGIN = "http://localhost:3000";

export interface TestDashboard {
  dashboard: Dashboard;
  registry: MemoryCallRegistry;
  broadcaster: RecordingBroadcaster;
  get(path: string): Promise<Response>;
  post(path: string, form: Record<string, string>, headers?: Record<string, string>): Promise<Response>;
}

/**
 * Over HTTP the client reads a response in a later event-loop turn than the one that produced it,
 * after the turn's batched dashboard broadcast was handed over; each request here waits for it too.
 */
async function afterTurn(response: Response | Promise<Response>): Promise<Response> {
  const value = await response;
  await new Promise((resolve) => setImmediate(resolve));
  return value;
}

export async function testDashboard(env: NodeJS.ProcessEnv = {}): Promise<TestDashboard> {
  const registry = new MemoryCallRegistry();
  const broadcaster = new RecordingBroadcaster();
  const dashboard = await createDashboard({
    env: { ANYCABLE_CABLE_READY_SECRET: SECRET, CABLE_URL: "ws://cable.example.test/cable", ...env },
    logger: silentLogger(),
    registry,
    broadcaster,
    attach: { pollIntervalMs: 10, answerTimeoutMs: 5_000 },
  });
  return {
    dashboard,
    registry,
    broadcaster,
    get: async (path) => afterTurn(dashboard.app.request(`${ORIGIN}${path}`)),
    post: async (path, form, headers = { origin: ORIGIN }) =>
      afterTurn(
        dashboard.app.request(`${ORIGIN}${path}`, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
          body: new URLSearchParams(form).toString(),
        }),
      ),
  };
}
