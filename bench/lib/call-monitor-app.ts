// The call monitor exactly as channels/app.ts builds it, but with a call registry that lets the
// same call start again. The RPC benchmark replays one subscribe request thousands of times; the
// real registry would accept the first and refuse every other as a second live stream for the
// call (by design), so the benchmark would measure the refusal instead of a call starting. The
// difference in work is one Map lookup. Limits and logger are channels/app.ts's, so a storm of
// fresh calls through this module does exactly what it does through channels/app.ts.
import type { Application, ApplicationContext } from "anycable-ts";
import { createCallMonitorApplication } from "../../channels/cable/call-monitor-application.js";
import { loadRegistryLimits } from "../../channels/calls/registry-config.js";
import { MemoryCallRegistry } from "../../channels/calls/memory-call-registry.js";

class RestartingCallRegistry extends MemoryCallRegistry {
  override callStarted(sid: string, at: number): Promise<boolean> {
    // The memory registry's callStopped completes synchronously: no await, so the replayed
    // subscribe pays one Map delete over the real one, not an extra promise turn as well.
    void this.callStopped(sid);
    return super.callStarted(sid, at);
  }
}

export default function benchCallMonitorApplication(context: ApplicationContext): Application {
  return createCallMonitorApplication({
    env: context.env,
    logger: context.logger,
    registry: new RestartingCallRegistry(loadRegistryLimits(context.env), Date.now, context.logger),
  });
}
