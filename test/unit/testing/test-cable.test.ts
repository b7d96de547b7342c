// anycable-ts/testing drives an application as anycable-go would, in-process.
import { describe, expect, it } from "vitest";
import { z } from "zod";
// The folders' own modules rather than src/index.js, which loads every transport: Stryker re-runs
// this file for every mutant of src/testing (stryker.testing.config.mjs).
import { defineApplication } from "../../../src/cable/application.js";
import { Channel } from "../../../src/cable/channel.js";
import { Connection } from "../../../src/cable/connection.js";
import { createTestCable } from "../../../src/testing/index.js";
import { signStreamName } from "../../../src/streams/signed-stream-name.js";
import app, { ChatChannel, EchoChannel, journal } from "../../fixtures/chat-app.js";

describe("connecting", () => {
  it("identifies the client and keeps its connection state", async () => {
    const cable = await createTestCable(app);
    const ann = await cable.connect({ cookies: { user: "ann" }, sid: "s-1" });
    expect(ann.connected).toBe(true);
    expect(ann.identifiers).toEqual({ user: "ann" });
    expect(ann.state).toEqual({ connected_at: "t0" });
    expect(ann.transmissions).toEqual([{ type: "welcome", sid: "s-1" }]);
  });

  it("reads query params and headers", async () => {
    const cable = await createTestCable(app);
    expect((await cable.connect({ params: { user: "bob" } })).identifiers).toEqual({ user: "bob" });
    expect((await cable.connect({ headers: { Cookie: "user=cy" } })).identifiers).toEqual({ user: "cy" });
  });

  it("shows a rejection with its reason, in the result and in the log", async () => {
    const cable = await createTestCable(app);
    const intruder = await cable.connect({ cookies: { user: "intruder" } });
    expect(intruder.rejected).toBe(true);
    expect(intruder.connected).toBe(false);
    expect(intruder.error).toBe("unknown user");
    expect(intruder.transmissions).toEqual([{ type: "disconnect", reason: "unauthorized", reconnect: false }]);
    expect(cable.logs.map((l) => l.msg)).toContain("connection rejected: unknown user");
    await expect(intruder.subscribe(ChatChannel, { room: "lobby" })).rejects.toThrow(/not accepted/);
  });

  it("reports an exception in connect() as an error", async () => {
    const cable = await createTestCable(app);
    const crash = await cable.connect({ cookies: { user: "crash" } });
    expect(crash.status).toBe("error");
    expect(crash.errors).toEqual(["Error in Connect: database is down"]);
  });
});

describe("subscribing and performing", () => {
  it("confirms, starts streams, transmits and keeps channel state", async () => {
    const cable = await createTestCable(app);
    const ann = await cable.connect({ cookies: { user: "ann" } });
    const lobby = await ann.subscribe(ChatChannel, { room: "lobby" });
    expect(lobby.confirmed).toBe(true);
    expect(lobby.streams).toEqual(["chat:lobby"]);
    expect(lobby.state).toEqual({ count: "0" });

    expect(await lobby.perform("speak", { message: "hello" })).toEqual({
      status: "success",
      error: undefined,
      transmissions: [{ identifier: lobby.identifier, message: { from: "ann", message: "hello" } }],
    });
    await lobby.perform("count");
    await lobby.perform("count");
    expect(lobby.state).toEqual({ count: "2" });
    expect(ann.state).toMatchObject({ total: "2" });
    expect(lobby.transmissions).toEqual([{ from: "ann", message: "hello" }, { count: 1 }, { count: 2 }]);

    await lobby.perform("leave_room", { room: "lobby" });
    expect(lobby.streams).toEqual([]);
    expect(lobby.stoppedStreams).toEqual(["chat:lobby"]);
  });

  it("shows a rejected subscription with its reason, and no streams", async () => {
    const cable = await createTestCable(app);
    const ann = await cable.connect({ cookies: { user: "ann" } });
    const secret = await ann.subscribe(ChatChannel, { room: "secret" });
    expect(secret.rejected).toBe(true);
    expect(secret.error).toBe("Subscription rejected by ChatChannel");
    expect(secret.streams).toEqual([]);
    expect(ann.transmissions).toContainEqual({ identifier: secret.identifier, type: "reject_subscription" });
  });

  it("logs a rejection's reason", async () => {
    class Vip extends Channel {
      static override identifier = "vip";
      override subscribed(): void {
        this.reject("members only");
      }
    }
    const cable = await createTestCable(defineApplication({ channels: [Vip] }));
    const guest = await cable.connect();
    const vip = await guest.subscribe(Vip);
    expect(vip.error).toBe("Subscription rejected by Vip: members only");
    expect(cable.logs).toContainEqual(
      expect.objectContaining({ msg: "Subscription rejected by Vip: members only", reason: "members only" }),
    );
  });

  it("records broadcasts, invalid data and exceptions", async () => {
    const cable = await createTestCable(app);
    const ann = await cable.connect({ cookies: { user: "ann" } });
    const echo = await ann.subscribe(EchoChannel);
    await echo.perform("echo", { text: "hi" });
    expect(cable.broadcasts.messagesTo("echo")).toEqual([{ text: "hi" }]);

    const lobby = await ann.subscribe(ChatChannel, { room: "lobby" });
    const invalid = await lobby.perform("speak", { message: "x".repeat(1001) });
    expect(invalid.status).toBe("error");
    expect(invalid.error).toMatch(/Invalid data for chat#speak/);
    const exploded = await lobby.perform("explode");
    expect(exploded.error).toBe("RangeError in ChatChannel#explode: action exploded");
    expect(ann.errors).toHaveLength(2);
  });

  it("unsubscribes and disconnects, running the callbacks with the state anycable-go kept", async () => {
    const cable = await createTestCable(app);
    const ann = await cable.connect({ cookies: { user: "ann" } });
    const a = await ann.subscribe(ChatChannel, { room: "a" });
    await ann.subscribe(ChatChannel, { room: "fragile" });
    await a.perform("count");
    expect((await a.unsubscribe()).status).toBe("success");
    expect(a.streams).toEqual([]);
    const result = await ann.disconnect();
    // the fragile room's unsubscribed() throws; disconnect reports it after running everything
    expect(result.status).toBe("error");
    expect(result.error).toMatch(/unsubscribe exploded/);
    expect(ann.closed).toBe(true);
  });

  it("closes the connection when the server asks to", async () => {
    const cable = await createTestCable(app);
    const ann = await cable.connect({ cookies: { user: "ann" } });
    const lobby = await ann.subscribe(ChatChannel, { room: "lobby" });
    await lobby.perform("kick");
    expect(ann.closed).toBe(true);
    await expect(lobby.perform("count")).rejects.toThrow(/closed/);
  });

  it("types actions and their data", async () => {
    const cable = await createTestCable(app);
    const ann = await cable.connect({ cookies: { user: "ann" } });
    const lobby = await ann.subscribe(ChatChannel, { room: "lobby" });
    // @ts-expect-error not an action of ChatChannel
    await lobby.perform("adminReset");
    // @ts-expect-error speak's message is a string
    await lobby.perform("speak", { message: 1 });
    // @ts-expect-error room must be a string
    const numbered = await ann.subscribe(ChatChannel, { room: 1 });
    expect(numbered.rejected).toBe(true);
    expect(ann.errors).toEqual([
      expect.stringMatching(/Unknown action "adminReset"/),
      expect.stringMatching(/Invalid data for chat#speak/),
    ]);
  });
});

describe("stubbed connections", () => {
  it("test a channel without running connect(), identifiers still checked by the Connection's schema", async () => {
    const cable = await createTestCable(app);
    const dee = cable.stubConnection({ user: "dee" }, { state: { total: "5" } });
    const lobby = await dee.subscribe(ChatChannel, { room: "lobby" });
    expect(lobby.confirmed).toBe(true);
    await lobby.perform("count");
    expect(dee.state).toEqual({ total: "6" });
    expect((await lobby.perform("speak", { message: "hi" })).transmissions).toEqual([
      { identifier: lobby.identifier, message: { from: "dee", message: "hi" } },
    ]);

    const bogus = cable.stubConnection({ name: "no user key" });
    const refused = await bogus.subscribe(ChatChannel, { room: "lobby" });
    expect(refused.status).toBe("error");
    expect(refused.confirmed).toBe(false);
    expect(refused.error).toMatch(/Connection identifiers do not match ChatConnection/);
  });
});

describe("the built-in channels and factories", () => {
  it("builds a factory application with the given env and serves CableReady::Stream", async () => {
    const factory = ({ env }: { env: NodeJS.ProcessEnv }) => {
      class Greeter extends Channel {
        static override identifier = "greeter";
        override subscribed(): void {
          this.transmit({ hello: env.GREETING });
        }
      }
      return defineApplication({ channels: [Greeter] });
    };
    const cable = await createTestCable(factory, { env: { GREETING: "hi" } });
    const guest = await cable.connect();
    expect((await guest.subscribe("greeter")).transmissions).toEqual([{ hello: "hi" }]);
    const stream = await guest.subscribe("CableReady::Stream", { identifier: "forged" });
    expect(stream.rejected).toBe(true);
  });
});

describe("a Connection that forgets identifiedBy", () => {
  it("fails at Connect with an error that says what to do", async () => {
    class Forgetful extends Connection<{ user: string }> {
      static override identifiers = z.object({ user: z.string() });
      override connect(): void {
        // looks the user up, then forgets to call this.identifiedBy(...)
      }
    }
    const cable = await createTestCable(defineApplication({ connection: Forgetful, channels: [] }));
    const client = await cable.connect();
    expect(client.status).toBe("error");
    expect(client.error).toMatch(/Forgetful\.connect\(\) returned without identifiedBy\(\) or rejectUnauthorizedConnection\(\)/);
    expect(cable.logs).toContainEqual(expect.objectContaining({ level: 50, where: "Connect" }));
  });

  it("leaves the base Connection anonymous", async () => {
    const cable = await createTestCable(defineApplication({ channels: [] }));
    const client = await cable.connect();
    expect(client.connected).toBe(true);
    expect(client.identifiers).toEqual({});
  });
});

describe("the session, kept as anycable-go keeps it", () => {
  class Board extends Channel {
    static override identifier = "board";
    static override actions = { forget: z.object({ key: z.string() }), leave: z.object({ stream: z.string() }), leave_all: z.object({}) };

    override subscribed(): void {
      this.state.set("topic", "news");
      this.state.set("draft", "x");
      this.connection.state.set("seen", "board");
      this.streamFrom("board:a");
      this.streamFrom("board:b");
    }

    forget(data: { key: string }): void {
      this.state.delete(data.key);
      this.connection.state.delete("seen");
    }

    leave(data: { stream: string }): void {
      this.stopStreamFrom(data.stream);
    }

    leave_all(): void {
      this.stopAllStreams();
    }
  }
  const boardApp = defineApplication({ channels: [Board] });

  it("deletes the state keys a channel deletes, in its own state and the connection's", async () => {
    const client = await (await createTestCable(boardApp)).connect();
    const board = await client.subscribe(Board);
    expect([board.state, client.state]).toEqual([{ topic: "news", draft: "x" }, { seen: "board" }]);
    await board.perform("forget", { key: "draft" });
    expect([board.state, client.state]).toEqual([{ topic: "news" }, {}]);
  });

  it("counts as stopped only the streams that were running, one by one or all at once", async () => {
    const client = await (await createTestCable(boardApp)).connect();
    const board = await client.subscribe(Board);
    await board.perform("leave", { stream: "board:never-started" });
    expect(board.stoppedStreams).toEqual([]);
    await board.perform("leave", { stream: "board:a" });
    expect([board.streams, board.stoppedStreams]).toEqual([["board:b"], ["board:a"]]);
    await board.perform("leave_all");
    expect([board.streams, board.stoppedStreams]).toEqual([[], ["board:a", "board:b"]]);
  });

  it("disconnects an accepted connection cleanly, then refuses to use it", async () => {
    const client = await (await createTestCable(boardApp)).connect();
    await client.subscribe(Board);
    expect(await client.disconnect()).toEqual({ status: "success", error: undefined, transmissions: [] });
    expect(client.errors).toEqual([]);
    await expect(client.subscribe(Board)).rejects.toThrow("subscribe: the connection is closed");
  });

  it("refuses to disconnect or subscribe a connection that was never accepted, saying why", async () => {
    const cable = await createTestCable(app);
    const intruder = await cable.connect({ cookies: { user: "intruder" } });
    await expect(intruder.disconnect()).rejects.toThrow("disconnect: this connection was never accepted");
    const crash = await cable.connect({ cookies: { user: "crash" } });
    await expect(crash.subscribe(ChatChannel, { room: "lobby" })).rejects.toThrow(
      "subscribe: the connection was not accepted (error: Error in Connect: database is down)",
    );
  });

  it("serves an application's own CableReady::Stream channel instead of the built-in one", async () => {
    class OwnStream extends Channel {
      static override identifier = "CableReady::Stream";
      override subscribed(): void {
        this.transmit({ own: true });
      }
    }
    const client = await (await createTestCable(defineApplication({ channels: [OwnStream] }))).connect();
    const stream = await client.subscribe("CableReady::Stream", { identifier: "anything" });
    expect(stream.confirmed).toBe(true);
    expect(stream.transmissions).toEqual([{ own: true }]);
  });
});

describe("what the helper keeps for the test to read", () => {
  it("numbers the sessions it opens, unless the test names one", async () => {
    const cable = await createTestCable(app);
    const first = await cable.connect({ cookies: { user: "ann" } });
    const stubbed = cable.stubConnection({ user: "bob" });
    const named = await cable.connect({ cookies: { user: "cy" }, sid: "mine" });
    const next = await cable.connect({ cookies: { user: "dee" } });
    expect([first.sid, stubbed.sid, named.sid, next.sid]).toEqual(["test-session-1", "test-session-2", "mine", "test-session-3"]);
  });

  it("sends the request anycable-go would: the client's address, and the cookies joined into one header", async () => {
    const seen: Array<{ addr: string | undefined; header: string | undefined; cookies: Record<string, string> }> = [];
    class Inspecting extends Connection {
      override connect(): void {
        seen.push({ addr: this.request.remoteAddr, header: this.request.headers.cookie, cookies: { ...this.request.cookies } });
      }
    }
    const cable = await createTestCable(defineApplication({ connection: Inspecting, channels: [] }));
    await cable.connect();
    await cable.connect({ cookies: { b: "2 3" } });
    await cable.connect({ headers: { Cookie: "a=1" }, cookies: { b: "2" } });
    expect(seen).toEqual([
      { addr: "127.0.0.1", header: undefined, cookies: {} },
      { addr: "127.0.0.1", header: "b=2%203", cookies: { b: "2 3" } },
      { addr: "127.0.0.1", header: "a=1; b=2", cookies: { a: "1", b: "2" } },
    ]);
  });

  it("waits for the end of the handler's turn, so what it broadcast then is already recorded", async () => {
    class Deferred extends Channel {
      static override identifier = "deferred";
      static override actions = { later: z.object({}) };
      later(): void {
        setImmediate(() => void this.broadcast("deferred", { done: true }));
      }
    }
    const cable = await createTestCable(defineApplication({ channels: [Deferred] }));
    const deferred = await (await cable.connect()).subscribe(Deferred);
    await deferred.perform("later");
    expect(cable.broadcasts.messagesTo("deferred")).toEqual([{ done: true }]);
  });

  it("tells an accepted, a rejected, a failed and a closed connection apart", async () => {
    const cable = await createTestCable(app);
    const ann = await cable.connect({ cookies: { user: "ann" } });
    expect([ann.connected, ann.rejected, ann.closed, ann.errors]).toEqual([true, false, false, []]);

    const intruder = await cable.connect({ cookies: { user: "intruder" } });
    // A rejection is the application's answer, not an error.
    expect([intruder.connected, intruder.rejected, intruder.closed, intruder.errors]).toEqual([false, true, true, []]);

    const crash = await cable.connect({ cookies: { user: "crash" } });
    expect([crash.connected, crash.rejected, crash.closed, crash.errors]).toEqual([
      false,
      false,
      true,
      ["Error in Connect: database is down"],
    ]);

    await (await ann.subscribe(ChatChannel, { room: "lobby" })).perform("kick");
    expect([ann.connected, ann.rejected, ann.closed]).toEqual([false, false, true]);
  });

  it("says which call a closed connection refused", async () => {
    const cable = await createTestCable(app);
    const ann = await cable.connect({ cookies: { user: "ann" } });
    const lobby = await ann.subscribe(ChatChannel, { room: "lobby" });
    await lobby.perform("kick");
    await expect(lobby.perform("count")).rejects.toThrow(/^perform: the connection is closed$/);
    await expect(lobby.unsubscribe()).rejects.toThrow(/^unsubscribe: the connection is closed$/);
  });

  it("says a connection rejected without a reason was not accepted as unauthorized", async () => {
    class Closed extends Connection {
      override connect(): void {
        this.rejectUnauthorizedConnection();
      }
    }
    const cable = await createTestCable(defineApplication({ connection: Closed, channels: [ChatChannel] }));
    const client = await cable.connect();
    await expect(client.subscribe(ChatChannel, { room: "lobby" })).rejects.toThrow(
      "subscribe: the connection was not accepted (failure: Connection rejected as unauthorized)",
    );
  });

  it("gives each subscription only its own transmissions, and tells confirmed from rejected", async () => {
    const cable = await createTestCable(app);
    const ann = await cable.connect({ cookies: { user: "ann" } });
    const lobby = await ann.subscribe(ChatChannel, { room: "lobby" });
    const garden = await ann.subscribe(ChatChannel, { room: "garden" });
    await lobby.perform("speak", { message: "in the lobby" });
    await garden.perform("speak", { message: "in the garden" });
    expect(lobby.transmissions).toEqual([{ from: "ann", message: "in the lobby" }]);
    expect(garden.transmissions).toEqual([{ from: "ann", message: "in the garden" }]);
    expect([lobby.confirmed, lobby.rejected]).toEqual([true, false]);
    expect(lobby.startedStreams).toEqual(["chat:lobby"]);
  });

  it("forgets rejected and unsubscribed subscriptions, so disconnect() does not unsubscribe them again", async () => {
    const cable = await createTestCable(app);
    const ann = await cable.connect({ cookies: { user: "ann" } });
    await ann.subscribe(ChatChannel, { room: "secret" });
    const gone = await ann.subscribe(ChatChannel, { room: "gone" });
    const kept = await ann.subscribe(ChatChannel, { room: "kept" });
    await gone.unsubscribe();
    await kept.perform("count");
    journal.length = 0;
    await ann.disconnect();
    expect(journal.filter((entry) => entry.startsWith("unsubscribed:"))).toEqual(["unsubscribed:ann:kept:1"]);
  });

  it("keeps a subscription whose unsubscribe raised, as anycable-go does, so disconnect() unsubscribes it again", async () => {
    const cable = await createTestCable(app);
    const ann = await cable.connect({ cookies: { user: "ann" } });
    const fragile = await ann.subscribe(ChatChannel, { room: "fragile" });
    journal.length = 0;
    expect((await fragile.unsubscribe()).status).toBe("error");
    await ann.disconnect();
    expect(journal.filter((entry) => entry.startsWith("unsubscribed:"))).toEqual([
      "unsubscribed:ann:fragile:0",
      "unsubscribed:ann:fragile:0",
    ]);
  });

  it("records a failed disconnect among the connection's errors", async () => {
    const cable = await createTestCable(app);
    const ann = await cable.connect({ cookies: { user: "ann" } });
    await ann.subscribe(ChatChannel, { room: "fragile" });
    await ann.disconnect();
    expect(ann.errors).toEqual([expect.stringMatching(/unsubscribe exploded/)]);
  });

  it("keeps the state a rejected subscription changed, as anycable-go does, but not its streams; nothing from a call that raised", async () => {
    class Fickle extends Channel {
      static override identifier = "fickle";
      static override actions = { spoil: z.object({}) };
      override subscribed(): void {
        this.state.set("tried", "yes");
        this.connection.state.set("tried", "yes");
        this.streamFrom("fickle:tried");
        if (this.params.stay !== true) this.reject();
      }
      spoil(): void {
        this.state.set("spoiled", "yes");
        this.connection.state.set("spoiled", "yes");
        this.streamFrom("fickle:spoiled");
        throw new Error("spoilt");
      }
    }
    const client = await (await createTestCable(defineApplication({ channels: [Fickle] }))).connect();
    const rejected = await client.subscribe(Fickle);
    expect([rejected.state, rejected.streams, client.state]).toEqual([{ tried: "yes" }, [], { tried: "yes" }]);

    const staying = await client.subscribe(Fickle, { stay: true });
    expect((await staying.perform("spoil")).status).toBe("error");
    expect([staying.state, staying.streams, client.state]).toEqual([{ tried: "yes" }, ["fickle:tried"], { tried: "yes" }]);
  });

  it("names the tested application in the error when the export is not one", async () => {
    await expect(createTestCable({} as never)).rejects.toThrow(/^the tested application must default-export defineApplication/);
  });

  it("serves CableReady::Stream with the given secret, to correctly signed identifiers", async () => {
    const cable = await createTestCable(app, { cableReadySecret: "s3cret" });
    const client = await cable.connect({ cookies: { user: "ann" } });
    const stream = await client.subscribe("CableReady::Stream", { identifier: signStreamName("chat:lobby", "s3cret") });
    expect(stream.confirmed).toBe(true);
    expect(stream.streams).toEqual(["chat:lobby"]);
  });

  it("serves an application's own CableReady::Stream beside its other channels", async () => {
    class OwnStream extends Channel {
      static override identifier = "CableReady::Stream";
      override subscribed(): void {
        this.transmit({ own: true });
      }
    }
    class Other extends Channel {
      static override identifier = "other";
    }
    const client = await (await createTestCable(defineApplication({ channels: [Other, OwnStream] }))).connect();
    const stream = await client.subscribe("CableReady::Stream", { identifier: "anything" });
    expect(stream.transmissions).toEqual([{ own: true }]);
  });
});
