import type { ChannelClass } from "./channel.js";
import { Connection, type ConnectionClass } from "./connection.js";
import type { CheckedChannels } from "./typed-actions.js";

/** What an application module exports for the RPC server: its connection class and channels. */
export interface Application {
  connection: ConnectionClass;
  channels: readonly ChannelClass[];
}

/**
 * Declares an application. Each channel's action methods are checked against its action
 * schemas: a method whose parameter does not accept what its schema produces is a compile error here.
 */
export function defineApplication<const Cs extends readonly ChannelClass[]>(app: {
  connection?: ConnectionClass;
  channels: Cs & CheckedChannels<Cs>;
}): Application {
  return { connection: app.connection ?? Connection, channels: app.channels };
}
