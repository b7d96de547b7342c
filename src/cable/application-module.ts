import type { Logger } from "pino";
import type { AnyBroadcastAdapter } from "../broadcast/adapter.js";
import { broadcastAdapterProblem } from "../broadcast/adapter.js";
import type { Broadcaster } from "../broadcast/broadcaster.js";
import { checkBroadcastAdapters } from "../broadcast/config.js";
import { ConfigError } from "../config/errors.js";
import type { Application } from "./application.js";
import { Channel } from "./channel.js";
import { Connection } from "./connection.js";

/** What the runtime hands an application factory at start-up. */
export interface ApplicationContext {
  env: NodeJS.ProcessEnv;
  logger: Logger;
  broadcaster: Broadcaster;
}

/** An application module's default export: the application, or a factory that builds it from the context. */
export type ApplicationExport = Application | ((context: ApplicationContext) => Application | Promise<Application>);

/**
 * What `anycable-ts serve <module>` reads from an application module. Its adapters are a named
 * export, not the factory's: they must be known before the broadcaster the factory receives.
 */
export interface ApplicationModule {
  default: ApplicationExport;
  /** Broadcast adapters of the application's own, selected by ANYCABLE_BROADCAST_ADAPTER as the built-in ones are. */
  broadcastAdapters?: readonly AnyBroadcastAdapter[];
}

function isApplication(value: unknown): value is Application {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as Partial<Application>;
  return (
    typeof candidate.connection === "function" &&
    // instanceof is branded (see shared/brand.ts): the application may use another copy of this package.
    (candidate.connection === Connection || candidate.connection.prototype instanceof Connection) &&
    Array.isArray(candidate.channels) &&
    candidate.channels.every((c) => typeof c === "function" && c.prototype instanceof Channel) &&
    (candidate.close === undefined || typeof candidate.close === "function")
  );
}

/** Turns a module's default export into an Application, with a message a person can act on when it is not one. */
export async function resolveApplication(exported: unknown, context: ApplicationContext, source: string): Promise<Application> {
  const value =
    typeof exported === "function" && exported !== Connection && !(exported.prototype instanceof Connection)
      ? await (exported as (c: ApplicationContext) => unknown)(context)
      : exported;
  if (!isApplication(value)) {
    throw new TypeError(
      `${source} must default-export defineApplication({ connection, channels }) or a function returning it ` +
        `(connection: a Connection subclass, channels: Channel subclasses, close: a function if given)`,
    );
  }
  return value;
}

/**
 * Turns a module's `broadcastAdapters` export into the adapters to register beside the built-in
 * ones (none when it exports none), checked before any variable is read or anything connects: a
 * ConfigError names the module, the adapter and what is wrong with it.
 */
export function resolveBroadcastAdapters(exported: unknown, source: string): readonly AnyBroadcastAdapter[] {
  if (exported === undefined) return [];
  const where = `${source}: broadcastAdapters`;
  if (!Array.isArray(exported)) {
    throw new ConfigError(
      `${where} must be an array of adapters made with defineBroadcastAdapter, e.g. export const broadcastAdapters = [myAdapter]`,
    );
  }
  exported.forEach((adapter: unknown, index) => {
    const problem = broadcastAdapterProblem(adapter);
    if (problem !== undefined) throw new ConfigError(`${where}[${index}] is not a broadcast adapter: ${problem}`);
  });
  const adapters = exported as AnyBroadcastAdapter[];
  try {
    checkBroadcastAdapters(adapters);
  } catch (error) {
    // The clashes loadBroadcastConfig would find (a built-in name taken, a shared variable read
    // with another schema…): here they are the module's to fix.
    if (error instanceof TypeError) throw new ConfigError(`${where}: ${error.message}`);
    throw error;
  }
  return adapters;
}
