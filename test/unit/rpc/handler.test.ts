import { beforeEach, describe, expect, it } from "vitest";
import { Channel, Connection, defineApplication, InvalidParamsError, z } from "../../../src/index.js";
import { RpcHandler } from "../../../src/rpc/handler.js";
import { UNAUTHORIZED_DISCONNECT } from "../../../src/rpc/mapping/responses.js";
import { Status, type CallMetadata, type CommandMessage, type Env } from "../../../src/rpc/messages.js";
import app, { journal } from "../../fixtures/chat-app.js";
import { RecordingBroadcaster } from "../../fixtures/recording-broadcaster.js";
import { captureLogger, type LogLine } from "../../support/capture-logger.js";

const meta: CallMetadata = { sid: "sid-1", protov: "v1" };
const ROOM = JSON.stringify({ channel: "chat", room: "lobby" });

function env(partial: Partial<Env> = {}): Env {
  return {
    url: "http://example.test/cable",
    headers: { cookie: "user=ann", REMOTE_ADDR: "127.0.0.1" },
    cstate: {},
    istate: {},
    ...partial,
  };
}

function command(partial: Partial<CommandMessage>): CommandMessage {
  return { command: "message", identifier: ROOM, connection_identifiers: '{"user":"ann"}', data: "", env: env(), ...partial };
}

function perform(action: unknown, extra: Record<string, unknown> = {}, partial: Partial<CommandMessage> = {}): CommandMessage {
  return command({ data: JSON.stringify({ action, ...extra }), ...partial });
}

let broadcaster: RecordingBroadcaster;
let logLines: LogLine[];
let handler: RpcHandler;

beforeEach(() => {
  journal.length = 0;
  broadcaster = new RecordingBroadcaster();
  const logs = captureLogger();
  logLines = logs.lines;
  handler = new RpcHandler({ app, broadcaster, logger: logs.logger });
});

describe("Connect", () => {
  it("identifies the connection, keeps its state and sends the welcome with the session id", async () => {
    const res = await handler.connect({ env: env() }, meta);
    expect(res.status).toBe(Status.SUCCESS);
    expect(JSON.parse(res.identifiers)).toEqual({ user: "ann" });
    expect(res.transmissions).toEqual(['{"type":"welcome","sid":"sid-1"}']);
    expect(res.env?.cstate).toEqual({ connected_at: "t0" });
    expect(journal).toEqual(["connect:ann"]);
  });

  it("reads query params when there is no cookie", async () => {
    const res = await handler.connect({ env: env({ url: "http://example.test/cable?user=bob", headers: {} }) }, meta);
    expect(JSON.parse(res.identifiers)).toEqual({ user: "bob" });
  });

  it("answers FAILURE with the unauthorized disconnect when the application rejects", async () => {
    const res = await handler.connect({ env: env({ headers: { cookie: "user=intruder" } }) }, meta);
    expect(res.status).toBe(Status.FAILURE);
    expect(res.transmissions).toEqual([UNAUTHORIZED_DISCONNECT]);
    expect(UNAUTHORIZED_DISCONNECT).toBe('{"type":"disconnect","reason":"unauthorized","reconnect":false}');
    expect(res.identifiers).toBe("");
  });

  it("turns an exception into ERROR with a clear message and logs the stack", async () => {
    const res = await handler.connect({ env: env({ headers: { cookie: "user=crash" } }) }, meta);
    expect(res).toEqual({
      status: Status.ERROR,
      identifiers: "",
      transmissions: [],
      error_msg: "Error in Connect: database is down",
      env: null,
    });
    const logged = logLines.find((l) => l.level === 50);
    expect(logged?.msg).toBe("exception in Connect: database is down");
    expect((logged?.err as { stack?: string }).stack).toContain("chat-app.ts");
  });

  it("copes with a missing env", async () => {
    const res = await handler.connect({ env: null }, meta);
    expect(res.status).toBe(Status.FAILURE);
  });

  it.each([
    ["missing", undefined],
    ["another version", "v2"],
    ["a lookalike", "v10"],
  ])("refuses a client whose protov is %s", async (_label, protov) => {
    const res = await handler.connect({ env: env() }, { sid: "s", protov });
    expect(res.status).toBe(Status.ERROR);
    expect(res.error_msg).toMatch(/Incompatible AnyCable RPC client/);
    expect(journal).toEqual([]);
  });

  it("accepts a protov list that includes v1", async () => {
    const res = await handler.connect({ env: env() }, { sid: "s", protov: "v0,v1" });
    expect(res.status).toBe(Status.SUCCESS);
  });
});

describe("Command subscribe", () => {
  it("confirms with the identifier exactly as sent and starts the channel's streams", async () => {
    const identifier = '{ "channel": "chat",  "room": "lobby" }';
    const res = await handler.command(command({ command: "subscribe", identifier }), meta);
    expect(res.status).toBe(Status.SUCCESS);
    expect(res.transmissions).toEqual([JSON.stringify({ identifier, type: "confirm_subscription" })]);
    expect(res.streams).toEqual(["chat:lobby"]);
    expect(res.env?.istate).toEqual({ count: "0" });
    expect(journal).toEqual(["subscribed:ann:lobby"]);
  });

  it("answers a rejected subscription with FAILURE, reject_subscription and no streams", async () => {
    const identifier = JSON.stringify({ channel: "chat", room: "secret" });
    const res = await handler.command(command({ command: "subscribe", identifier }), meta);
    expect(res.status).toBe(Status.FAILURE);
    expect(res.transmissions).toEqual([JSON.stringify({ identifier, type: "reject_subscription" })]);
    expect(res.streams).toEqual([]);
    expect(res.stopped_streams).toEqual([]);
  });

  it.each([
    ["invalid params", '{"channel":"chat","room":"Bad Room!"}', /Invalid params for channel "chat": room/],
    ["missing params", '{"channel":"chat"}', /Invalid params/],
    ["an unknown channel", '{"channel":"NoSuchChannel"}', /Unknown channel: "NoSuchChannel"/],
    ["a prototype name as channel", '{"channel":"__proto__"}', /Unknown channel/],
    ["a constructor channel", '{"channel":"constructor"}', /Unknown channel/],
    ["non-JSON", "chat", /not valid JSON/],
    ["a JSON array", '["chat"]', /JSON object with a "channel" string/],
    ["a number channel", '{"channel":42}', /JSON object with a "channel" string/],
    ["an empty identifier", "", /not valid JSON/],
    ["null", "null", /JSON object/],
  ])("refuses %s with reject_subscription and a clear error_msg", async (_label, identifier, message) => {
    const res = await handler.command(command({ command: "subscribe", identifier }), meta);
    expect(res.status).toBe(Status.FAILURE);
    expect(res.error_msg).toMatch(message);
    expect(res.transmissions).toEqual([JSON.stringify({ identifier, type: "reject_subscription" })]);
    expect(res.streams).toEqual([]);
  });

  it("turns an exception in subscribed into ERROR", async () => {
    const res = await handler.command(command({ command: "subscribe", identifier: '{"channel":"chat","room":"boom"}' }), meta);
    expect(res.status).toBe(Status.ERROR);
    expect(res.error_msg).toBe("Error in ChatChannel#subscribed: subscribe exploded");
    expect(res.streams).toEqual([]);
  });

  it("refuses connection identifiers that are not what the connection declares", async () => {
    for (const [connection_identifiers, why] of [
      ["{not json", "are not valid JSON"],
      ['{"user":42}', "do not match ChatConnection"],
      ["[]", "do not match ChatConnection"],
    ]) {
      const res = await handler.command(command({ command: "subscribe", connection_identifiers }), meta);
      expect(res.status).toBe(Status.ERROR);
      expect(res.error_msg).toBe(`Connection identifiers ${why}: ${connection_identifiers}`);
    }
  });
});

describe("Command message", () => {
  it("runs a declared action and transmits to the subscriber", async () => {
    const res = await handler.command(perform("speak", { message: "hi <b>" }), meta);
    expect(res).toEqual({
      status: Status.SUCCESS,
      disconnect: false,
      stop_streams: false,
      streams: [],
      transmissions: [JSON.stringify({ identifier: ROOM, message: { from: "ann", message: "hi <b>" } })],
      error_msg: "",
      env: null,
      stopped_streams: [],
      presence: null,
    });
  });

  it("reads channel and connection state from the request and returns only the changes", async () => {
    const res = await handler.command(
      perform("count", {}, { env: env({ istate: { count: "3", other: "x" }, cstate: { total: "9", connected_at: "t0" } }) }),
      meta,
    );
    expect(res.transmissions).toEqual([JSON.stringify({ identifier: ROOM, message: { count: 4 } })]);
    expect(res.env).toEqual({ istate: { count: "4" }, cstate: { total: "10" } });
  });

  it("stops one stream or asks anycable-go to close the socket", async () => {
    const stopped = await handler.command(perform("leave_room", { room: "lobby" }), meta);
    expect(stopped.stopped_streams).toEqual(["chat:lobby"]);
    const kicked = await handler.command(perform("kick"), meta);
    expect(kicked.disconnect).toBe(true);
  });

  it.each([
    "subscribed",
    "unsubscribed",
    "constructor",
    "__proto__",
    "toString",
    "hasOwnProperty",
    "valueOf",
    "__defineGetter__",
    "transmit",
    "streamFrom",
    "stopAllStreams",
    "reject",
    "adminReset",
    "identifiers",
    "",
  ])("never lets a client call %j", async (action) => {
    const res = await handler.command(perform(action), meta);
    expect(res.status).toBe(Status.ERROR);
    expect(res.error_msg).toBe(`Unknown action ${JSON.stringify(action)} for channel "chat"`);
    expect(res.transmissions).toEqual([]);
    expect(journal).toEqual([]);
  });

  it.each([
    ["no action", '{"message":"hi"}', /"action" string/],
    ["a non-string action", '{"action":["speak"]}', /"action" string/],
    ["data that is not JSON", "speak", /not valid JSON/],
    ["a JSON array", '["speak"]', /"action" string/],
    ["empty data", "", /not valid JSON/],
    ["invalid payload", '{"action":"speak","message":42}', /Invalid data for chat#speak: message/],
  ])("refuses %s with a clear error", async (_label, data, message) => {
    const res = await handler.command(command({ data }), meta);
    expect(res.status).toBe(Status.ERROR);
    expect(res.error_msg).toMatch(message);
  });

  it("turns an exception in an action into ERROR naming the action, and neither closes the socket nor stops its streams", async () => {
    const res = await handler.command(perform("explode"), meta);
    expect(res).toEqual({
      status: Status.ERROR,
      disconnect: false,
      stop_streams: false,
      streams: [],
      transmissions: [],
      error_msg: "RangeError in ChatChannel#explode: action exploded",
      env: null,
      stopped_streams: [],
      presence: null,
    });
  });

  it("publishes through the broadcaster", async () => {
    const res = await handler.command(perform("echo", { text: "yo" }, { identifier: '{"channel":"EchoChannel"}' }), meta);
    expect(res.status).toBe(Status.SUCCESS);
    expect(broadcaster.all).toEqual([{ stream: "echo", data: '{"text":"yo"}' }]);
  });

  it("refuses an unknown command", async () => {
    const res = await handler.command(command({ command: "explode" }), meta);
    expect(res.status).toBe(Status.ERROR);
    expect(res.error_msg).toMatch(/Unknown command "explode"/);
  });

  it("quotes at most 64 characters of an unknown command in the error and the log", async () => {
    const res = await handler.command(command({ command: "x".repeat(5000) }), meta);
    const quoted = `Unknown command "${"x".repeat(64)}": expected subscribe, unsubscribe or message`;
    expect(res.error_msg).toBe(quoted);
    expect(logLines.filter((l) => l.level === 40).map((l) => l.msg)).toEqual([quoted]);
  });
});

describe("Command unsubscribe", () => {
  it("runs unsubscribed with the channel state and stops all streams", async () => {
    const res = await handler.command(command({ command: "unsubscribe", env: env({ istate: { count: "2" } }) }), meta);
    expect(res.status).toBe(Status.SUCCESS);
    expect(res.stop_streams).toBe(true);
    expect(journal).toEqual(["unsubscribed:ann:lobby:2"]);
  });
});

describe("Disconnect", () => {
  const subscriptions = [ROOM, '{"channel":"chat","room":"kitchen"}', '{"channel":"CableReady::Stream","identifier":"x--y"}'];

  it("runs every channel's unsubscribed with its own state, then the connection's disconnect", async () => {
    const res = await handler.disconnect(
      { identifiers: '{"user":"ann"}', subscriptions, env: env({ istate: { [ROOM]: '{"count":"5"}' } }) },
      meta,
    );
    expect(res).toEqual({ status: Status.SUCCESS, error_msg: "" });
    expect(journal).toEqual(["unsubscribed:ann:lobby:5", "unsubscribed:ann:kitchen:-", "disconnect:ann"]);
  });

  it("is idempotent per session", async () => {
    const request = { identifiers: '{"user":"ann"}', subscriptions: [ROOM], env: env() };
    await handler.disconnect(request, meta);
    const again = await handler.disconnect(request, meta);
    expect(again.status).toBe(Status.SUCCESS);
    expect(journal).toEqual(["unsubscribed:ann:lobby:-", "disconnect:ann"]);
  });

  it("does nothing for a connection that was rejected at Connect", async () => {
    const res = await handler.disconnect({ identifiers: "", subscriptions: [], env: env() }, meta);
    expect(res.status).toBe(Status.SUCCESS);
    expect(journal).toEqual([]);
  });

  it("keeps going when one callback fails and reports every failure", async () => {
    const res = await handler.disconnect(
      { identifiers: '{"user":"fragile"}', subscriptions: ['{"channel":"chat","room":"fragile"}', ROOM], env: env() },
      meta,
    );
    expect(res.status).toBe(Status.ERROR);
    expect(res.error_msg).toBe(
      "Error in ChatChannel#unsubscribed: unsubscribe exploded; Error in ChatConnection#disconnect: disconnect exploded",
    );
    expect(journal).toEqual(["unsubscribed:fragile:fragile:-", "unsubscribed:fragile:lobby:-", "disconnect:fragile"]);
  });

  it("runs none of the application's code for a connection rejected at Connect, not even its Connection's initializers", async () => {
    const built: string[] = [];
    class CountedConnection extends Connection<{ user: string }> {
      static override identifiers = z.object({ user: z.string() });
      // Application code that runs whenever a Connection is made, e.g. opening a handle.
      readonly handle = built.push(`built:${this.sid}`);
    }
    const counted = new RpcHandler({
      app: defineApplication({ connection: CountedConnection, channels: [] }),
      broadcaster,
      logger: captureLogger().logger,
    });
    const rejected = await counted.disconnect({ identifiers: "", subscriptions: [], env: env() }, { sid: "rejected", protov: "v1" });
    expect(rejected).toEqual({ status: Status.SUCCESS, error_msg: "" });
    expect(built).toEqual([]);
    // The same Disconnect for an accepted connection does build it.
    await counted.disconnect({ identifiers: '{"user":"ann"}', subscriptions: [], env: env() }, { sid: "accepted", protov: "v1" });
    expect(built).toEqual(["built:accepted"]);
  });

  it("still unsubscribes every channel of a connection that comes back with no identifiers", async () => {
    const left: string[] = [];
    class Lounge extends Channel {
      static override identifier = "lounge";
      override unsubscribed(): void {
        left.push(`left:${this.identifier}`);
      }
    }
    const lounge = new RpcHandler({ app: defineApplication({ channels: [Lounge] }), broadcaster, logger: captureLogger().logger });
    const subscription = '{"channel":"lounge"}';
    const res = await lounge.disconnect({ identifiers: "", subscriptions: [subscription], env: env() }, meta);
    expect(res).toEqual({ status: Status.SUCCESS, error_msg: "" });
    expect(left).toEqual([`left:${subscription}`]);
  });

  it("logs at debug, with the session and the identifier, each listed subscription that has no channel here", async () => {
    await handler.disconnect({ identifiers: '{"user":"ann"}', subscriptions, env: env() }, meta);
    expect(logLines.filter((l) => l.msg === "disconnect: no channel to unsubscribe")).toEqual([
      expect.objectContaining({ level: 20, sid: "sid-1", identifier: subscriptions[2] }),
    ]);
  });

  it("answers ERROR when a listed subscription's params make the channel's schema throw, runs the rest, and runs again on the retry", async () => {
    const ran: string[] = [];
    // An application bug reachable by a client: BigInt() throws on a room id that is not a number.
    class Ledger extends Channel<{ account: bigint }> {
      static override identifier = "ledger";
      static override params = z.object({ account: z.string().transform((id) => BigInt(id)) });
      override unsubscribed(): void {
        ran.push(`unsubscribed:${this.params.account}`);
      }
    }
    const ledger = new RpcHandler({ app: defineApplication({ channels: [Ledger] }), broadcaster, logger: captureLogger().logger });
    const request = {
      identifiers: "{}",
      subscriptions: ['{"channel":"ledger","account":"12x"}', '{"channel":"ledger","account":"7"}'],
      env: env(),
    };
    for (const attempt of [1, 2]) {
      const res = await ledger.disconnect(request, meta);
      expect(res, `attempt ${attempt}`).toEqual({
        status: Status.ERROR,
        error_msg: "SyntaxError in Disconnect: Cannot convert 12x to a BigInt",
      });
    }
    expect(ran).toEqual(["unsubscribed:7", "unsubscribed:7"]);
  });

  it("tolerates state that is not a JSON map", async () => {
    const res = await handler.disconnect(
      { identifiers: '{"user":"ann"}', subscriptions: [ROOM], env: env({ istate: { [ROOM]: "garbage" } }) },
      { sid: "s2", protov: "v1" },
    );
    expect(res.status).toBe(Status.SUCCESS);
    expect(journal).toEqual(["unsubscribed:ann:lobby:-", "disconnect:ann"]);
  });
});

describe("parsing identifiers once", () => {
  const seen: Array<{ params: unknown; identifiers: unknown }> = [];

  class PlainConnection extends Connection<{ user: string }> {
    static override identifiers = z.strictObject({ user: z.string() });
  }

  class NotesChannel extends Channel<{ board: string; tags: string[] }, PlainConnection> {
    static override identifier = "notes";
    static override params = z.strictObject({ board: z.string(), tags: z.array(z.string()).default([]) });
    static override actions = { look: z.object({}), scribble: z.object({}) };

    look(): void {
      seen.push({ params: this.params, identifiers: this.identifiers });
    }

    scribble(): void {
      this.params.tags.push("scribbled");
    }
  }

  class ScheduleChannel extends Channel<{ at: Date }, PlainConnection> {
    static override identifier = "schedule";
    static override params = z.strictObject({ at: z.iso.datetime().transform((text) => new Date(text)) });
    static override actions = { look: z.object({}) };

    look(): void {
      seen.push({ params: this.params, identifiers: this.identifiers });
    }
  }

  const notes = (board: string) => JSON.stringify({ channel: "notes", board, tags: ["x"] });
  let parsing: RpcHandler;

  beforeEach(() => {
    seen.length = 0;
    const application = defineApplication({ connection: PlainConnection, channels: [NotesChannel, ScheduleChannel] });
    parsing = new RpcHandler({ app: application, broadcaster, logger: captureLogger().logger });
  });

  const look = (identifier: string, identifiers = '{"user":"ann"}') =>
    parsing.command(perform("look", {}, { identifier, connection_identifiers: identifiers }), meta);

  it("hands every perform on a subscription the same deep-frozen params, and each subscription its own", async () => {
    await look(notes("a"));
    await look(notes("a"));
    await look(notes("b"));
    const [first, second, other] = seen.map((s) => s.params as { board: string; tags: string[] });
    expect(first).toEqual({ board: "a", tags: ["x"] });
    expect(second).toBe(first);
    expect(other).toEqual({ board: "b", tags: ["x"] });
    expect(Object.isFrozen(first) && Object.isFrozen(first?.tags)).toBe(true);
  });

  it("answers ERROR to a channel that changes its params, and the next perform still sees them unchanged", async () => {
    const res = await parsing.command(perform("scribble", {}, { identifier: notes("a"), connection_identifiers: '{"user":"ann"}' }), meta);
    expect(res.status).toBe(Status.ERROR);
    expect(res.error_msg).toMatch(/^TypeError in NotesChannel#scribble/);
    await look(notes("a"));
    expect(seen[0]?.params).toEqual({ board: "a", tags: ["x"] });
  });

  it("freezes params on subscribe too, so a channel never sees them mutable", async () => {
    class Probe extends NotesChannel {
      static override identifier = "probe";
      override subscribed(): void {
        seen.push({ params: this.params, identifiers: this.identifiers });
      }
    }
    const probing = new RpcHandler({
      app: defineApplication({ connection: PlainConnection, channels: [Probe] }),
      broadcaster,
      logger: captureLogger().logger,
    });
    const res = await probing.command(
      command({ command: "subscribe", identifier: '{"channel":"probe","board":"a"}', connection_identifiers: '{"user":"ann"}' }),
      meta,
    );
    expect(res.status).toBe(Status.SUCCESS);
    expect(Object.isFrozen(seen[0]?.params)).toBe(true);
  });

  it("parses params a schema turns into something other than JSON data afresh on every perform", async () => {
    const identifier = JSON.stringify({ channel: "schedule", at: "2026-11-21T10:00:00Z" });
    await look(identifier);
    await look(identifier);
    const [first, second] = seen.map((s) => (s.params as { at: Date }).at);
    expect(first).toEqual(new Date("2026-11-21T10:00:00Z"));
    expect(second).toEqual(first);
    expect(second).not.toBe(first);
    expect(Object.isFrozen(seen[0]?.params)).toBe(false);
  });

  it("hands commands deep-frozen connection identifiers, and still refuses ones that do not match the schema", async () => {
    await look(notes("a"), '{"user":"ann"}');
    await look(notes("a"), '{"user":"bob"}');
    expect(seen.map((s) => s.identifiers)).toEqual([{ user: "ann" }, { user: "bob" }]);
    expect(Object.isFrozen(seen[0]?.identifiers)).toBe(true);
    const refused = await look(notes("a"), '{"user":42}');
    expect(refused.status).toBe(Status.ERROR);
    expect(refused.error_msg).toMatch(/Connection identifiers do not match PlainConnection/);
  });

  it("hands every command with the same identifiers string the same identifiers, and others their own", async () => {
    await look(notes("a"), '{"user":"ann"}');
    await look(notes("b"), '{"user":"ann"}');
    await look(notes("a"), '{"user":"bob"}');
    const [first, second, other] = seen.map((s) => s.identifiers);
    expect(second).toBe(first);
    expect(other).toEqual({ user: "bob" });
  });

  it("serves a command on a connection that identified itself by nothing, as anycable-go's HTTP RPC omits empty identifiers", async () => {
    class Anonymous extends Channel {
      static override identifier = "anonymous";
      static override actions = { look: z.object({}) };
      look(): void {
        this.transmit({ identified: this.connection.identified });
      }
    }
    const anonymous = new RpcHandler({
      app: defineApplication({ channels: [Anonymous] }),
      broadcaster,
      logger: captureLogger().logger,
    });
    const res = await anonymous.command(perform("look", {}, { identifier: '{"channel":"anonymous"}', connection_identifiers: "" }), meta);
    expect(res.status).toBe(Status.SUCCESS);
    expect(res.transmissions).toEqual([JSON.stringify({ identifier: '{"channel":"anonymous"}', message: { identified: false } })]);
  });
});

describe("one way to report a refusal", () => {
  class StrictConnection extends Connection<{ user: string }> {
    static override identifiers = z.strictObject({ user: z.string() }).transform((value) => {
      if (value.user === "broken") throw new Error("identifiers transform exploded");
      return value;
    }) as unknown as z.ZodType<{ user: string }>;
  }

  class GateChannel extends Channel<Record<string, unknown>, StrictConnection> {
    static override identifier = "gate";
    static override actions = { noop: z.object({}) };

    override subscribed(): void {
      this.state.set("seen", "yes");
      if (this.identifiers.user === "banned") throw new InvalidParamsError("banned users may not subscribe");
      if (this.identifiers.user === "rude") this.reject();
      if (this.identifiers.user === "late") this.reject("doors closed");
    }

    noop(): void {}
  }

  let gate: RpcHandler;
  let lines: LogLine[];

  beforeEach(() => {
    const logs = captureLogger();
    lines = logs.lines;
    gate = new RpcHandler({
      app: defineApplication({ connection: StrictConnection, channels: [GateChannel] }),
      broadcaster,
      logger: logs.logger,
    });
  });

  const subscribe = (user: string) =>
    gate.command(
      command({ command: "subscribe", identifier: '{"channel":"gate"}', connection_identifiers: JSON.stringify({ user }) }),
      meta,
    );

  it("rejects a subscription whose subscribed() raises a ChannelRefusal, with no streams and a warning", async () => {
    const res = await subscribe("banned");
    expect(res.status).toBe(Status.FAILURE);
    expect(res.transmissions).toEqual([JSON.stringify({ identifier: '{"channel":"gate"}', type: "reject_subscription" })]);
    expect(res.error_msg).toBe("banned users may not subscribe");
    expect(res.streams).toEqual([]);
    expect(lines.find((l) => l.msg === "banned users may not subscribe")?.level).toBe(40);
  });

  it("sends back the state a channel set before it rejected", async () => {
    const res = await subscribe("rude");
    expect(res.status).toBe(Status.FAILURE);
    expect(res.error_msg).toBe("Subscription rejected by GateChannel");
    expect(res.env?.istate).toEqual({ seen: "yes" });
  });

  it("says why a channel rejected, when it gave a reason, in the error_msg and an info line naming the subscription", async () => {
    const res = await subscribe("late");
    expect(res.status).toBe(Status.FAILURE);
    expect(res.error_msg).toBe("Subscription rejected by GateChannel: doors closed");
    expect(lines.filter((l) => l.level === 30)).toEqual([
      expect.objectContaining({
        msg: "Subscription rejected by GateChannel: doors closed",
        sid: "sid-1",
        identifier: '{"channel":"gate"}',
        reason: "doors closed",
      }),
    ]);
  });

  it("answers ERROR, not a crash, when the connection's identifiers schema throws", async () => {
    const res = await subscribe("broken");
    expect(res.status).toBe(Status.ERROR);
    expect(res.error_msg).toBe("Error in subscribe: identifiers transform exploded");
    expect(lines.find((l) => l.level === 50)?.err).toBeDefined();
  });

  it("answers ERROR naming Disconnect when the connection's identifiers schema throws on a Disconnect", async () => {
    const res = await gate.disconnect({ identifiers: '{"user":"broken"}', subscriptions: ['{"channel":"gate"}'], env: env() }, meta);
    expect(res).toEqual({ status: Status.ERROR, error_msg: "Error in Disconnect: identifiers transform exploded" });
    expect(lines.filter((l) => l.level === 50).map((l) => [l.sid, l.where])).toEqual([["sid-1", "Disconnect"]]);
  });

  it("logs a request off the protocol as a warning and answers ERROR", async () => {
    const res = await gate.command(command({ command: "explode" }), { sid: "s", protov: "v1" });
    expect(res.status).toBe(Status.ERROR);
    expect(lines.find((l) => l.level === 40)?.where).toBe("Command");
  });
});

describe("the log line of each failure names the call it belongs to", () => {
  const linesAt = (level: number) => logLines.filter((l) => l.level === level);

  it("gives the session of a call refused for its protocol version or an unknown command", async () => {
    await handler.connect({ env: env() }, { sid: "sid-c", protov: "v9" });
    await handler.command(command({}), { sid: "sid-m", protov: undefined });
    await handler.command(command({ command: "explode" }), { sid: "sid-x", protov: "v1" });
    await handler.disconnect({ identifiers: '{"user":"ann"}', subscriptions: [], env: env() }, { sid: "sid-d", protov: "v2" });
    expect(linesAt(40).map((l) => [l.sid, l.where])).toEqual([
      ["sid-c", "Connect"],
      ["sid-m", "Command"],
      ["sid-x", "Command"],
      ["sid-d", "Disconnect"],
    ]);
  });

  it("gives the session and URL of a Connect that failed or was rejected", async () => {
    const url = "http://example.test/cable?from=test";
    await handler.connect({ env: env({ url, headers: { cookie: "user=crash" } }) }, meta);
    await handler.connect({ env: env({ url, headers: { cookie: "user=intruder" } }) }, { sid: "sid-2", protov: "v1" });
    expect(linesAt(50)).toEqual([expect.objectContaining({ sid: "sid-1", url, where: "Connect" })]);
    expect(linesAt(30)).toEqual([
      expect.objectContaining({ msg: "connection rejected: unknown user", sid: "sid-2", url, reason: "unknown user" }),
    ]);
  });

  it("gives the session and channel identifier of a subscribe, message or unsubscribe that failed", async () => {
    const boom = '{"channel":"chat","room":"boom"}';
    const fragile = '{"channel":"chat","room":"fragile"}';
    await handler.command(command({ command: "subscribe", identifier: boom }), meta);
    await handler.command(perform("explode"), { sid: "sid-2", protov: "v1" });
    await handler.command(command({ command: "unsubscribe", identifier: fragile }), { sid: "sid-3", protov: "v1" });
    expect(linesAt(50).map((l) => [l.sid, l.identifier, l.where])).toEqual([
      ["sid-1", boom, "ChatChannel#subscribed"],
      ["sid-2", ROOM, "ChatChannel#explode"],
      ["sid-3", fragile, "ChatChannel#unsubscribed"],
    ]);
  });

  it("gives the session of each Disconnect callback that failed", async () => {
    await handler.disconnect(
      { identifiers: '{"user":"fragile"}', subscriptions: ['{"channel":"chat","room":"fragile"}'], env: env() },
      { sid: "sid-9", protov: "v1" },
    );
    expect(linesAt(50).map((l) => [l.sid, l.where])).toEqual([
      ["sid-9", "ChatChannel#unsubscribed"],
      ["sid-9", "ChatConnection#disconnect"],
    ]);
  });
});
