import type { Logger } from "pino";
import type { Application } from "../cable/application.js";
import type { ChannelClass } from "../cable/channel.js";
import { loadCableReadyConfig } from "../cable-ready/config.js";
import { CABLE_READY_STREAM_CHANNEL, createCableReadyStreamChannel } from "../cable-ready/stream-channel.js";

export interface BuiltinChannelsOptions {
  app: Application;
  logger: Logger;
  /** Where the Cable Ready secret is read from when `cableReady` does not give it. */
  env: NodeJS.ProcessEnv;
  /**
   * The secret of the built-in `CableReady::Stream` channel. Defaults to the one anycable-go
   * would read from `env` (ANYCABLE_CABLE_READY_SECRET, ANYCABLE_STREAMS_SECRET, ANYCABLE_SECRET);
   * `{ secret: undefined }` serves the channel without one, so it rejects every subscription
   * (right when anycable-go holds the secret and answers those subscriptions itself).
   */
  cableReady?: { secret: string | undefined } | undefined;
}

/**
 * The channels every AnyCable application gets beside its own, whichever transport serves it:
 * `CableReady::Stream`, unless the application defines a channel of that name.
 */
export function builtinChannels(options: BuiltinChannelsOptions): ChannelClass[] {
  if (options.app.channels.some((channel) => channel.identifier === CABLE_READY_STREAM_CHANNEL)) return [];
  const { secret } = options.cableReady ?? loadCableReadyConfig(options.env);
  if (secret === undefined) {
    options.logger.info(
      "no ANYCABLE_CABLE_READY_SECRET / ANYCABLE_STREAMS_SECRET / ANYCABLE_SECRET: CableReady::Stream subscriptions that reach RPC are rejected",
    );
  }
  return [createCableReadyStreamChannel(secret)];
}
