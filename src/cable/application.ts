import type { ChannelClass } from "./channel.js";
import { Connection, type ConnectionClass } from "./connection.js";

/** What an application module exports for the RPC server: its connection class and channels. */
export interface Application {
  connection: ConnectionClass;
  channels: readonly ChannelClass[];
}

export function defineApplication(app: { connection?: ConnectionClass; channels: readonly ChannelClass[] }): Application {
  return { connection: app.connection ?? Connection, channels: app.channels };
}
