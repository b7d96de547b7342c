import { ConfigError } from "../config/errors.js";
import type { Logger } from "../logging/logger.js";
import type { AnyBroadcastAdapter } from "./adapter.js";
import type { BroadcastSettings } from "./config.js";
import { QueuedBroadcaster } from "./queued-broadcaster.js";
import type { BroadcastTransport } from "./transport.js";

function selectedAdapter(config: BroadcastSettings<string>): AnyBroadcastAdapter {
  const adapter = config.adapters.find((candidate) => candidate.name === config.adapter);
  if (adapter === undefined) {
    const names = config.adapters.map((candidate) => candidate.name).join(", ");
    throw new ConfigError(`unknown broadcast adapter ${JSON.stringify(config.adapter)}; expected one of ${names}`);
  }
  return adapter;
}

/**
 * The selected adapter's settings, kept under its configKey (`config.nats`, …). A config is typed
 * by the adapters it was read with; here any will do, hence the plain record.
 */
function settingsOf(config: BroadcastSettings<string>, adapter: AnyBroadcastAdapter): unknown {
  return (config as unknown as Record<string, unknown>)[adapter.configKey];
}

/** The transport of the selected adapter, not yet connecting. */
export function createTransport(config: BroadcastSettings<string>, logger: Logger): BroadcastTransport {
  const adapter = selectedAdapter(config);
  return adapter.createTransport(settingsOf(config, adapter), { reconnect: config.reconnect, logger });
}

/**
 * The broadcaster for the configured adapter, already connecting in the background: an
 * unreachable broker is logged and retried, never thrown, and publications queue meanwhile.
 */
export function createBroadcaster(
  config: BroadcastSettings<string>,
  logger: Logger,
  options: { settleOn?: "accepted" | "delivered" } = {},
): QueuedBroadcaster {
  const adapter = selectedAdapter(config);
  const settings = settingsOf(config, adapter);
  const log = logger.child({ component: "broadcast", adapter: adapter.name });
  const settleOn = options.settleOn ?? config.settleOn;
  const transport = adapter.createTransport(settings, { reconnect: config.reconnect, logger: log });
  log.info(
    { target: transport.target, maxQueueSize: config.queueSize },
    `broadcasting via ${transport.kind} at ${transport.target} (${adapter.describe(settings)})`,
  );
  return new QueuedBroadcaster({
    transport,
    logger: log,
    queueSize: config.queueSize,
    flushTimeoutMs: config.flushTimeoutMs,
    retry: config.reconnect,
    ...(settleOn ? { settleOn } : {}),
  });
}
