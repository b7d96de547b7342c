// Whisper and presence state, records' broadcastings, broadcasts to others, remote disconnects
// and rescueFrom, on the Channel and Connection classes themselves.
import { describe, expect, it } from "vitest";
import {
  Channel,
  Connection,
  PRESENCE_STREAM_STATE,
  Request,
  StateStore,
  UnauthorizedError,
  WHISPER_STREAM_STATE,
  actionCableChannelName,
  globalIdParam,
  silentLogger,
  z,
} from "../../../src/index.js";
import { CallOutput } from "../../../src/cable/call-output.js";
import { callRescued } from "../../../src/cable/rescue.js";

/** Runs `call` as the dispatcher runs a callback on `receiver`, falling back to `fallback`. */
function rescuing(call: () => unknown, receiver: object, fallback?: object): Promise<unknown> {
  return Promise.resolve(callRescued(receiver, call, undefined, fallback));
}
import { RecordingBroadcaster } from "../../fixtures/recording-broadcaster.js";

class ShopConnection extends Connection<{ shop: string; user: string | null }> {
  static override identifiers = z.object({ shop: z.string(), user: z.string().nullable() });
}

class CartChannel extends Channel<Record<string, unknown>, ShopConnection> {
  static override identifier = "Shop::CartChannel";
}

function build(istate: Record<string, string> = {}) {
  const output = new CallOutput();
  const broadcaster = new RecordingBroadcaster();
  const connection = new ShopConnection({
    sid: "sid-42",
    request: new Request("http://example.test/cable", {}),
    state: new StateStore(),
    broadcaster,
    logger: silentLogger(),
    output,
    identifiers: { shop: "acme", user: "ann" },
  });
  const channel = new CartChannel({
    connection,
    identifier: '{"channel":"Shop::CartChannel"}',
    params: {},
    state: new StateStore(istate),
    output,
  });
  return { channel, connection, output, broadcaster };
}

const cart = { toGidParam: () => globalIdParam("shop", "Cart", 7) };

describe("streamFrom options", () => {
  it("marks the whisper and presence streams in the channel state anycable-go reads", () => {
    const { channel, output } = build();
    channel.streamFrom("cart:7", { whisper: true, presence: true });
    expect(output.streams).toEqual(["cart:7"]);
    expect(channel.state.changes()).toEqual({ [WHISPER_STREAM_STATE]: "cart:7", [PRESENCE_STREAM_STATE]: "cart:7" });
    expect([WHISPER_STREAM_STATE, PRESENCE_STREAM_STATE]).toEqual(["$w", "$p"]);
  });

  it("stops whispering when the whisper stream stops, or all streams stop", () => {
    const one = build({ $w: "cart:7" });
    one.channel.stopStreamFrom("other");
    expect(one.channel.state.get("$w")).toBe("cart:7");
    one.channel.stopStreamFrom("cart:7");
    expect(one.channel.state.changes()).toEqual({ $w: "" });
    const all = build({ $w: "cart:7", $p: "cart:7" });
    all.channel.stopAllStreams();
    expect(all.channel.state.changes()).toEqual({ $w: "" });
    expect(all.output.stopAllStreams).toBe(true);
  });
});

describe("joinPresence / leavePresence", () => {
  it("uses the stream marked presence in an earlier call, without starting it again", () => {
    const { channel, output } = build({ $p: "cart:7" });
    channel.joinPresence("ann", { name: "Ann" });
    expect(output.presence).toEqual({ type: "join", id: "ann", info: '{"name":"Ann"}' });
    expect(output.streams).toEqual([]);
    expect(channel.state.changed).toBe(false);
  });

  it("otherwise takes the first stream started in this call and records it for anycable-go", () => {
    const { channel, output } = build();
    channel.streamFrom("cart:7");
    channel.streamFrom("cart:7:audit");
    channel.joinPresence();
    expect(channel.state.changes()).toEqual({ $p: "cart:7" });
    // The default id is Action Cable's connection_identifier; no info sends none.
    expect(output.presence).toEqual({ type: "join", id: "acme:ann", info: "" });
  });

  it("starts an explicitly named stream it is not streaming yet", () => {
    const { channel, output } = build();
    channel.joinPresence("ann", "Ann", { stream: "lobby" });
    expect(output.streams).toEqual(["lobby"]);
    expect(channel.state.changes()).toEqual({ $p: "lobby" });
    expect(output.presence?.info).toBe('"Ann"');
  });

  it("says what is missing when there is no stream, and refuses unserialisable info", () => {
    expect(() => build().channel.joinPresence("ann")).toThrow(/streamFrom\(name, \{ presence: true \}\)/);
    expect(() => build({ $p: "s" }).channel.joinPresence("ann", () => 1)).toThrow(/JSON-serialisable/);
    expect(() => build({ $p: "s" }).channel.joinPresence("")).toThrow(TypeError);
  });

  it("leaves only a presence set it knows of", () => {
    const none = build();
    none.channel.leavePresence("ann");
    expect(none.output.presence).toBeUndefined();
    const joined = build({ $p: "cart:7" });
    joined.channel.leavePresence();
    expect(joined.output.presence).toEqual({ type: "leave", id: "acme:ann", info: "" });
  });
});

describe("records' broadcastings", () => {
  it("derives the channel name by Action Cable's rule", () => {
    expect(CartChannel.channelName).toBe("shop:cart");
    expect(actionCableChannelName("ChatChannel")).toBe("chat");
    expect(actionCableChannelName("chat")).toBe("chat");
    expect(actionCableChannelName("HTMLExportsChannel")).toBe("html_exports");
    expect(actionCableChannelName("Admin::LiveFeed")).toBe("admin:live_feed");
  });

  it("streamFor and broadcastTo name the record's stream <channel name>:<GlobalID param>", async () => {
    const { channel, output, broadcaster } = build();
    const name = `shop:cart:${globalIdParam("shop", "Cart", 7)}`;
    channel.streamFor(cart, { whisper: true });
    expect(output.streams).toEqual([name]);
    expect(channel.state.get("$w")).toBe(name);
    await CartChannel.broadcastTo(broadcaster, cart, { total: 1 });
    await channel.broadcastTo(cart, { total: 2 }, { toOthers: true, transient: true });
    await channel.broadcast("elsewhere", "raw", { broadcast_type: "custom" });
    expect(broadcaster.all).toEqual([
      { stream: name, data: '{"total":1}' },
      { stream: name, data: '{"total":2}', meta: { transient: true, exclude_socket: "sid-42" } },
      { stream: "elsewhere", data: "raw", meta: { broadcast_type: "custom" } },
    ]);
    channel.stopStreamFor(cart);
    expect(output.stoppedStreams).toEqual([name]);
  });
});

describe("Connection.identifiersJson and remoteDisconnect", () => {
  it("build the identifiers string in the schema's key order, validated", async () => {
    expect(ShopConnection.identifiersJson({ user: "ann", shop: "acme" })).toBe('{"shop":"acme","user":"ann"}');
    expect(() => ShopConnection.identifiersJson({ shop: 1 } as never)).toThrow(/Invalid identifiers for ShopConnection/);
    const broadcaster = new RecordingBroadcaster();
    await ShopConnection.remoteDisconnect(broadcaster, { user: null, shop: "acme" });
    await ShopConnection.remoteDisconnect(broadcaster, { user: "bo", shop: "acme" }, { reconnect: true });
    expect(broadcaster.commands).toEqual([
      { command: "disconnect", payload: { identifier: '{"shop":"acme","user":null}', reconnect: false } },
      { command: "disconnect", payload: { identifier: '{"shop":"acme","user":"bo"}', reconnect: true } },
    ]);
  });

  it("connectionIdentifier joins the values, dropping nulls, as Action Cable does", () => {
    const { connection } = build();
    expect(connection.connectionIdentifier).toBe("acme:ann");
  });
});

describe("rescueFrom", () => {
  class Base extends Error {}
  class Specific extends Base {}
  class Unrelated extends Error {}

  class ParentChannel extends Channel {
    static override identifier = "parent";
    seen: string[] = [];
    static {
      this.rescueFrom(Base, function (error) {
        this.seen.push(`parent-base:${error.message}`);
      });
    }
  }
  class ChildChannel extends ParentChannel {
    static override identifier = "child";
    static {
      this.rescueFrom(Specific, function (error) {
        this.seen.push(`child-specific:${error.message}`);
      });
    }
  }
  class GuardedConnection extends Connection {
    seen: string[] = [];
    static {
      this.rescueFrom(Unrelated, function (error) {
        this.seen.push(`connection:${error.message}`);
      });
    }
  }

  function instances() {
    const output = new CallOutput();
    const connection = new GuardedConnection({
      sid: "s",
      request: new Request("", {}),
      state: new StateStore(),
      broadcaster: new RecordingBroadcaster(),
      logger: silentLogger(),
      output,
      identifiers: {},
    });
    const init = { connection, identifier: "{}", params: {}, state: new StateStore(), output };
    return { connection, parent: new ParentChannel(init), child: new ChildChannel(init) };
  }

  it("tries the subclass's handlers first, then inherited ones, then the connection's", async () => {
    const { connection, parent, child } = instances();
    await rescuing(() => Promise.reject(new Specific("a")), child, connection);
    await rescuing(() => Promise.reject(new Base("b")), child, connection);
    await rescuing(
      () => {
        throw new Specific("c");
      },
      parent,
      connection,
    );
    await rescuing(() => Promise.reject(new Unrelated("d")), child, connection);
    expect(child.seen).toEqual(["child-specific:a", "parent-base:b"]);
    expect(parent.seen).toEqual(["parent-base:c"]);
    expect(connection.seen).toEqual(["connection:d"]);
  });

  it("rethrows what nobody rescues, errors thrown by handlers, and UnauthorizedError", async () => {
    const { connection, child } = instances();
    await expect(rescuing(() => Promise.reject(new RangeError("x")), child, connection)).rejects.toThrow(RangeError);
    await expect(rescuing(() => Promise.reject("not an error"), child, connection)).rejects.toBe("not an error");
    class Everything extends Connection {
      static {
        this.rescueFrom(Error, function () {});
      }
    }
    const guard = new Everything({
      sid: "s",
      request: new Request("", {}),
      state: new StateStore(),
      broadcaster: new RecordingBroadcaster(),
      logger: silentLogger(),
      output: new CallOutput(),
    });
    await expect(rescuing(() => guard.rejectUnauthorizedConnection(), guard)).rejects.toThrow(UnauthorizedError);
    class Rethrowing extends Channel {
      static {
        this.rescueFrom(Error, function (error) {
          throw new Error(`handler failed on ${error.message}`);
        });
      }
    }
    const rethrowing = new Rethrowing({ connection, identifier: "{}", params: {}, state: new StateStore(), output: new CallOutput() });
    await expect(rescuing(() => Promise.reject(new Error("x")), rethrowing)).rejects.toThrow("handler failed on x");
  });

  it("refuses a non-error class or a missing handler at declaration", () => {
    expect(() => ParentChannel.rescueFrom(Object as never, () => {})).toThrow(/Error class/);
    expect(() => ParentChannel.rescueFrom(Error, undefined as never)).toThrow(/handler function/);
  });
});
