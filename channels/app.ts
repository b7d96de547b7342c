// The module `npm run rpc` loads: the call monitor's RPC application, built from the
// environment. To run RPC and the dashboard in one process sharing one registry, use
// createCallMonitorApplication() and web/server.ts's startDashboard() directly (see README).
import type { Application, ApplicationContext } from "anycable-ts";
import { createCallMonitorApplication } from "./cable/call-monitor-application.js";
import { loadTwilioAccountSid } from "./config/twilio-account.js";
import { createCallRegistry } from "./calls/create-call-registry.js";

export { createCallMonitorApplication, type CallMonitorApplicationOptions } from "./cable/call-monitor-application.js";
export { createCallRegistry } from "./calls/create-call-registry.js";
export type { CallRegistry, LiveCall } from "./calls/call-registry.js";

export default function callMonitorApplication(context: ApplicationContext): Application {
  // A malformed account SID is refused before anything connects to Redis.
  loadTwilioAccountSid(context.env);
  const registry = createCallRegistry(context.env, context.logger);
  const application = createCallMonitorApplication({ env: context.env, logger: context.logger, registry });
  // This module made the registry, so it closes it: with REDIS_URL, the connection is ended
  // cleanly at shutdown (after the last calls' writes) instead of dropped by the exit.
  return { ...application, close: () => registry.close() };
}
