import type { ChannelClass } from "./channel.js";
import { Connection, type ConnectionClass } from "./connection.js";
import type { CheckedChannels } from "./typed-actions.js";

/** What an application module exports for the RPC server: its connection class and channels. */
export interface Application {
  connection: ConnectionClass;
  channels: readonly ChannelClass[];
  /**
   * Runs once on shutdown, after the RPC server drained and before the broadcaster is flushed
   * and closed: the place to wait for work the application left running after its answers (a
   * broadcast sent from a timer, say) and to close what it opened. A failure is logged; the
   * broadcaster is closed either way.
   */
  close?: () => void | Promise<void>;
}

/**
 * Declares an application. Each channel's action methods are checked against its action
 * schemas: a method whose parameter does not accept what its schema produces is a compile error here.
 */
export function defineApplication<const Cs extends readonly ChannelClass[]>(app: {
  connection?: ConnectionClass;
  channels: Cs & CheckedChannels<Cs>;
  close?: () => void | Promise<void>;
}): Application {
  const application: Application = { connection: app.connection ?? Connection, channels: app.channels };
  if (app.close !== undefined) application.close = app.close;
  return application;
}
