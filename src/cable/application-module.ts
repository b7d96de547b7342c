import type { Logger } from "pino";
import type { Broadcaster } from "../broadcast/broadcaster.js";
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

function isApplication(value: unknown): value is Application {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as Partial<Application>;
  return (
    typeof candidate.connection === "function" &&
    // instanceof is branded (see shared/brand.ts): the application may use another copy of this package.
    (candidate.connection === Connection || candidate.connection.prototype instanceof Connection) &&
    Array.isArray(candidate.channels) &&
    candidate.channels.every((c) => typeof c === "function" && c.prototype instanceof Channel)
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
        `(connection: a Connection subclass, channels: Channel subclasses)`,
    );
  }
  return value;
}
