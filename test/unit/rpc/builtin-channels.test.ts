// builtinChannels: the CableReady::Stream channel every application gets beside its own, with
// the secret it checks signed stream names against, unless the application brings its own.
import { describe, expect, it } from "vitest";
import { defineApplication } from "../../../src/cable/application.js";
import { Channel } from "../../../src/cable/channel.js";
import { CABLE_READY_STREAM_CHANNEL } from "../../../src/cable-ready/stream-channel.js";
import { builtinChannels } from "../../../src/rpc/builtin-channels.js";
import app, { ChatChannel } from "../../fixtures/chat-app.js";
import { captureLogger } from "../../support/capture-logger.js";

const NO_SECRET_NOTICE =
  "no ANYCABLE_CABLE_READY_SECRET / ANYCABLE_STREAMS_SECRET / ANYCABLE_SECRET: CableReady::Stream subscriptions that reach RPC are rejected";

describe("builtinChannels", () => {
  it("gives an application without its own CableReady::Stream that channel, quietly when the env holds a secret", () => {
    const logs = captureLogger();
    const channels = builtinChannels({ app, logger: logs.logger, env: { ANYCABLE_CABLE_READY_SECRET: "s" } });
    expect(channels.map((channel) => channel.identifier)).toEqual([CABLE_READY_STREAM_CHANNEL]);
    expect(logs.lines).toEqual([]);
  });

  it("is quiet when the cableReady option gives the secret, whatever the env lacks", () => {
    const logs = captureLogger();
    expect(builtinChannels({ app, logger: logs.logger, env: {}, cableReady: { secret: "given" } })).toHaveLength(1);
    expect(logs.lines).toEqual([]);
  });

  it("says that every subscription will be rejected when neither the option nor the env has a secret", () => {
    for (const options of [{ env: {} }, { env: { ANYCABLE_SECRET: "ignored" }, cableReady: { secret: undefined } }]) {
      const logs = captureLogger();
      expect(builtinChannels({ app, logger: logs.logger, ...options })).toHaveLength(1);
      expect(logs.lines.map((line) => [line.level, line.msg])).toEqual([[30, NO_SECRET_NOTICE]]);
    }
  });

  it("gives nothing to an application that defines CableReady::Stream among its other channels", () => {
    class OwnStream extends Channel {
      static override identifier = CABLE_READY_STREAM_CHANNEL;
    }
    const logs = captureLogger();
    const own = defineApplication({ connection: app.connection, channels: [ChatChannel, OwnStream] });
    expect(builtinChannels({ app: own, logger: logs.logger, env: {} })).toEqual([]);
    expect(logs.lines).toEqual([]);
  });
});
