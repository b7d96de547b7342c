// Channel on its own: what a subscription's callbacks can ask of it (logger, identifiers,
// rejection, streams, broadcasts, transmissions, presence) and what it writes into the call's
// output for the RPC layer. channel-features.test.ts covers whisper and presence state across
// calls, records' broadcastings and rescueFrom.
import { describe, expect, it, vi } from "vitest";
import { Channel, Connection, Request, StateStore, actionCableChannelName } from "../../../src/index.js";
import { CallOutput } from "../../../src/cable/call-output.js";
import { RecordingBroadcaster } from "../../fixtures/recording-broadcaster.js";
import { captureLogger } from "../../support/capture-logger.js";

class RoomChannel extends Channel {
  static override identifier = "RoomChannel";
}

function build(istate: Record<string, string> = {}) {
  const logs = captureLogger();
  const output = new CallOutput();
  const broadcaster = new RecordingBroadcaster();
  const connection = new Connection({
    sid: "sid-7",
    request: new Request("http://example.test/cable", {}),
    state: new StateStore(),
    broadcaster,
    logger: logs.logger,
    output,
    identifiers: { user: "ann", room: 12 },
  });
  const identifier = '{"channel":"RoomChannel","room":12}';
  const channel = new RoomChannel({ connection, identifier, params: { room: 12 }, state: new StateStore(istate), output });
  return { channel, connection, output, broadcaster, logs, identifier };
}

describe("a channel's defaults", () => {
  it("has no identifier, no params schema and no actions until a subclass declares them", () => {
    expect(Channel.identifier).toBe("");
    expect(Channel.params).toBeUndefined();
    expect(Channel.actions).toEqual({});
    expect(Channel.channelName).toBe("");
  });

  it("hands the connection's identifiers, broadcaster and the subscription's params to callbacks", () => {
    const { channel, connection, broadcaster } = build();
    expect(channel.connection).toBe(connection);
    expect(channel.identifiers).toEqual({ user: "ann", room: 12 });
    expect(channel.broadcaster).toBe(broadcaster);
    expect(channel.params).toEqual({ room: 12 });
  });

  it("logs with the session id and the channel's identifier, through one logger made on first use", () => {
    const { channel, logs } = build();
    expect(channel.logger).toBe(channel.logger);
    channel.logger.info("joined");
    expect(logs.lines.map((line) => [line.msg, line.sid, line.channel])).toEqual([["joined", "sid-7", "RoomChannel"]]);
  });
});

describe("asking whether a level is logged", () => {
  it("answers from the application's logger level without building a child logger", () => {
    const logs = captureLogger({ level: "info" });
    const child = vi.spyOn(logs.logger, "child");
    const output = new CallOutput();
    const connection = new Connection({
      sid: "sid-8",
      request: new Request("http://example.test/cable", {}),
      state: new StateStore(),
      broadcaster: new RecordingBroadcaster(),
      logger: logs.logger,
      output,
    });
    const channel = new RoomChannel({ connection, identifier: '{"channel":"RoomChannel"}', params: {}, state: new StateStore(), output });
    expect([channel.logs("debug"), channel.logs("info"), connection.logs("debug"), connection.logs("warn")]).toEqual([
      false,
      true,
      false,
      true,
    ]);
    expect(child).not.toHaveBeenCalled();
    logs.logger.level = "debug";
    expect(channel.logs("debug")).toBe(true);
  });
});

describe("reject", () => {
  it("is not rejected until reject() is called, with or without a reason", () => {
    const { channel } = build();
    expect(channel.rejected).toBe(false);
    expect(channel.rejectionReason).toBeUndefined();
    channel.reject();
    expect(channel.rejected).toBe(true);
    expect(channel.rejectionReason).toBeUndefined();
    const other = build().channel;
    other.reject("room is full");
    expect(other.rejected).toBe(true);
    expect(other.rejectionReason).toBe("room is full");
  });
});

describe("streams", () => {
  it("refuses an empty or missing stream name before recording anything", () => {
    const { channel, output } = build();
    for (const bad of ["", undefined, 42]) {
      expect(() => channel.streamFrom(bad as never)).toThrow(new TypeError("streamFrom needs a non-empty stream name"));
    }
    expect(output.streams).toEqual([]);
  });

  it("marks nothing in the channel state for a plain stream", () => {
    const { channel, output } = build();
    channel.streamFrom("room:12");
    channel.streamFrom("room:12:typing", { whisper: false, presence: false });
    expect(output.streams).toEqual(["room:12", "room:12:typing"]);
    expect(channel.state.changed).toBe(false);
  });

  it("stops all streams without touching a channel state that had no whisper stream", () => {
    const { channel, output } = build({ $p: "room:12" });
    channel.stopAllStreams();
    expect(output.stopAllStreams).toBe(true);
    expect(channel.state.changed).toBe(false);
    expect(output.stoppedStreams).toEqual([]);
  });
});

describe("broadcast and transmit", () => {
  it("broadcasts without metadata when given no options, and with toOthers: false keeps every socket", async () => {
    const { channel, broadcaster } = build();
    await channel.broadcast("room:12", { text: "hi" });
    await channel.broadcast("room:12", "raw", { toOthers: false });
    expect(broadcaster.all).toEqual([
      { stream: "room:12", data: '{"text":"hi"}' },
      { stream: "room:12", data: "raw" },
    ]);
    expect(broadcaster.all.map((publication) => "meta" in publication)).toEqual([false, false]);
  });

  it("transmits to this subscriber with the identifier exactly as the client sent it", () => {
    const { channel, output, identifier } = build();
    channel.transmit({ text: "hello" });
    channel.transmit("plain");
    expect(output.transmissions).toEqual([
      JSON.stringify({ identifier, message: { text: "hello" } }),
      JSON.stringify({ identifier, message: "plain" }),
    ]);
  });
});

describe("joinPresence / leavePresence", () => {
  it("does not start again a named stream that is the presence stream already or was started in this call", () => {
    const marked = build({ $p: "lobby" });
    marked.channel.joinPresence("ann", undefined, { stream: "lobby" });
    expect(marked.output.streams).toEqual([]);
    expect(marked.channel.state.changed).toBe(false);
    expect(marked.output.presence).toEqual({ type: "join", id: "ann", info: "" });

    const started = build();
    started.channel.streamFrom("room:12");
    started.channel.streamFrom("lobby");
    started.channel.joinPresence("ann", null, { stream: "lobby" });
    expect(started.output.streams).toEqual(["room:12", "lobby"]);
    expect(started.channel.state.changes()).toEqual({ $p: "lobby" });
    expect(started.output.presence).toEqual({ type: "join", id: "ann", info: "null" });
  });

  it("moves the presence set to another named stream, starting it", () => {
    const { channel, output } = build({ $p: "lobby" });
    channel.joinPresence("ann", { away: false }, { stream: "room:12" });
    expect(output.streams).toEqual(["room:12"]);
    expect(channel.state.changes()).toEqual({ $p: "room:12" });
    expect(output.presence).toEqual({ type: "join", id: "ann", info: '{"away":false}' });
  });

  it("prefers the stream marked presence in this call to the first one started", () => {
    const { channel, output } = build();
    channel.streamFrom("room:12");
    channel.streamFrom("room:12:presence", { presence: true });
    channel.joinPresence("ann");
    expect(channel.state.changes()).toEqual({ $p: "room:12:presence" });
    expect(output.presence?.id).toBe("ann");
  });

  it("refuses a presence id that is not a string, and says the info must be JSON", () => {
    const { channel } = build({ $p: "lobby" });
    expect(() => channel.joinPresence(7 as never)).toThrow(new TypeError("joinPresence needs a non-empty presence id"));
    expect(() => channel.joinPresence("ann", undefined, { stream: undefined })).not.toThrow();
    expect(() => channel.joinPresence("ann", Symbol("x"))).toThrow(new TypeError("presence info must be JSON-serialisable"));
  });

  it("says which stream is missing when there is none", () => {
    expect(() => build().channel.joinPresence("ann")).toThrow(
      new Error("joinPresence needs a stream: streamFrom(name, { presence: true }) first, or pass { stream }"),
    );
  });

  it("leaves with the id it is given", () => {
    const { channel, output } = build({ $p: "lobby" });
    channel.leavePresence("ann-tab-2");
    expect(output.presence).toEqual({ type: "leave", id: "ann-tab-2", info: "" });
  });
});

describe("actionCableChannelName", () => {
  it.each([
    ["ChannelListChannel", "channel_list"],
    ["RoomChannelArchive", "room_channel_archive"],
    ["Admin::Room", "admin:room"],
    ["A::B::CChannel", "a:b:c"],
    ["HTML5Player", "html5_player"],
    ["V2Channel", "v2"],
    ["Room2Chat", "room2_chat"],
    ["IOStats", "io_stats"],
    ["ABCDe", "abc_de"],
    ["live-feed", "live_feed"],
    ["a-b-c", "a_b_c"],
    ["snake_case", "snake_case"],
    ["ALLCAPS", "allcaps"],
  ])("turns %j into %j", (identifier, name) => {
    expect(actionCableChannelName(identifier)).toBe(name);
  });
});
