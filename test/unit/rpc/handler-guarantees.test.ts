// What anycable-go relies on from every RPC answer, beyond the happy paths of handler.test.ts:
// version checks on every call, Disconnect retries, bounded memory, and nothing the application
// did in a call silently dropped from the response.
import { beforeEach, describe, expect, it } from "vitest";
import { Channel, Connection, defineApplication, z } from "../../../src/index.js";
import { RpcHandler } from "../../../src/rpc/handler.js";
import { Status, type CallMetadata, type CommandMessage, type Env } from "../../../src/rpc/messages.js";
import app, { journal } from "../../fixtures/chat-app.js";
import { RecordingBroadcaster } from "../../fixtures/recording-broadcaster.js";
import { captureLogger } from "../../support/capture-logger.js";

/** What anycable-go must get, byte for byte, to close a refused socket for good. */
const UNAUTHORIZED_DISCONNECT = '{"type":"disconnect","reason":"unauthorized","reconnect":false}';
const ROOM = JSON.stringify({ channel: "chat", room: "lobby" });
const FRAGILE = JSON.stringify({ channel: "chat", room: "fragile" });

function env(partial: Partial<Env> = {}): Env {
  return { url: "http://example.test/cable", headers: { cookie: "user=ann" }, cstate: {}, istate: {}, ...partial };
}

function command(partial: Partial<CommandMessage>): CommandMessage {
  return { command: "message", identifier: ROOM, connection_identifiers: '{"user":"ann"}', data: "", env: env(), ...partial };
}

const v1 = (sid: string): CallMetadata => ({ sid, protov: "v1" });

let handler: RpcHandler;

beforeEach(() => {
  journal.length = 0;
  handler = new RpcHandler({ app, broadcaster: new RecordingBroadcaster(), logger: captureLogger().logger });
});

describe("the protocol version is checked on every call, not only Connect", () => {
  it.each([
    ["subscribe", command({ command: "subscribe" })],
    ["unsubscribe", command({ command: "unsubscribe" })],
    ["message", command({ data: JSON.stringify({ action: "speak", message: "hi" }) })],
  ])("refuses a %s command from a client that does not speak v1, running nothing", async (_label, request) => {
    const res = await handler.command(request, { sid: "s", protov: "v2" });
    expect(res.status).toBe(Status.ERROR);
    expect(res.error_msg).toBe("Incompatible AnyCable RPC client: server speaks v1, client supports v2");
    expect(res.transmissions).toEqual([]);
    expect(res.streams).toEqual([]);
    expect(journal).toEqual([]);
  });

  it("accepts a version list with spaces after the commas", async () => {
    const res = await handler.connect({ env: env() }, { sid: "s", protov: "v0, v1" });
    expect(res.status).toBe(Status.SUCCESS);
  });

  it("refuses a Disconnect from a client that does not speak v1, running no callback", async () => {
    const res = await handler.disconnect(
      { identifiers: '{"user":"ann"}', subscriptions: [ROOM], env: env() },
      { sid: "s", protov: undefined },
    );
    expect(res).toEqual({ status: Status.ERROR, error_msg: "Incompatible AnyCable RPC client: server speaks v1, client supports unknown" });
    expect(journal).toEqual([]);
  });
});

describe("Disconnect retries and memory", () => {
  it("runs the callbacks again when anycable-go retries a Disconnect that failed", async () => {
    const request = { identifiers: '{"user":"fragile"}', subscriptions: [FRAGILE], env: env() };
    expect((await handler.disconnect(request, v1("retried"))).status).toBe(Status.ERROR);
    expect((await handler.disconnect(request, v1("retried"))).status).toBe(Status.ERROR);
    expect(journal).toEqual([
      "unsubscribed:fragile:fragile:-",
      "disconnect:fragile",
      "unsubscribed:fragile:fragile:-",
      "disconnect:fragile",
    ]);
  });

  it("answers ERROR, not SUCCESS, to a Disconnect whose identifiers the connection does not accept, retried or not", async () => {
    for (const identifiers of ["{oops", '{"user":42}', "[]"]) {
      for (const attempt of [1, 2]) {
        const res = await handler.disconnect({ identifiers, subscriptions: [ROOM], env: env() }, v1(`bad-${identifiers}`));
        expect(res.status, `${identifiers}, attempt ${attempt}`).toBe(Status.ERROR);
        expect(res.error_msg).toMatch(/^Connection identifiers (are not valid JSON|do not match ChatConnection)/);
      }
    }
    expect(journal).toEqual([]);
  });

  it("remembers only the 10,000 most recent sessions: the oldest one's repeat runs its callbacks again", async () => {
    const request = { identifiers: '{"user":"ann"}', subscriptions: [], env: env() };
    await handler.disconnect(request, v1("oldest"));
    await handler.disconnect(request, v1("oldest"));
    expect(journal).toEqual(["disconnect:ann"]);
    // Rejected connections (no identifiers) are remembered too; they run nothing.
    for (let i = 0; i < 10_000; i++) await handler.disconnect({ identifiers: "", subscriptions: [], env: env() }, v1(`filler-${i}`));
    expect(journal).toEqual(["disconnect:ann"]);
    await handler.disconnect(request, v1("oldest"));
    expect(journal).toEqual(["disconnect:ann", "disconnect:ann"]);
    // The newest filler is still remembered.
    await handler.disconnect(request, v1("filler-9999"));
    expect(journal).toEqual(["disconnect:ann", "disconnect:ann"]);
  });
});

describe("a client unsubscribe", () => {
  it("answers ERROR naming the channel when unsubscribed() throws, instead of pretending it ran", async () => {
    const res = await handler.command(
      command({ command: "unsubscribe", identifier: FRAGILE, connection_identifiers: '{"user":"fragile"}' }),
      v1("u"),
    );
    expect(res.status).toBe(Status.ERROR);
    expect(res.error_msg).toBe("Error in ChatChannel#unsubscribed: unsubscribe exploded");
    expect(journal).toEqual(["unsubscribed:fragile:fragile:-"]);
  });
});

describe("nothing the application did in a call is dropped from the answer", () => {
  class GreetingConnection extends Connection<{ user: string }> {
    static override identifiers = z.object({ user: z.string() });

    override connect(): void {
      const user = this.request.params.get("user");
      this.transmit({ type: "notice", text: "checking your account" });
      this.state.set("seen", "1");
      if (user === "mallory") this.rejectUnauthorizedConnection("no account");
      this.identifiedBy({ user: user ?? "anon" });
    }
  }

  class LobbyChannel extends Channel<Record<string, unknown>, GreetingConnection> {
    static override identifier = "lobby";
    static override actions = { wave: z.object({}), leave: z.object({}) };

    override subscribed(): void {
      // Remembers the refusal, so a later attempt can be told why (anycable-go keeps istate and
      // cstate changes from a FAILURE).
      this.state.set("refused", "full");
      this.connection.state.set("last_refusal", "lobby");
      this.transmit({ sorry: true });
      this.streamFrom("lobby");
      this.reject();
    }

    wave(): void {
      this.joinPresence(this.identifiers.user, { waving: true }, { stream: "lobby" });
    }

    leave(): void {
      this.leavePresence(this.identifiers.user);
    }
  }

  const lobbyApp = defineApplication({ connection: GreetingConnection, channels: [LobbyChannel] });
  let lobby: RpcHandler;
  const LOBBY = '{"channel":"lobby"}';

  beforeEach(() => {
    lobby = new RpcHandler({ app: lobbyApp, broadcaster: new RecordingBroadcaster(), logger: captureLogger().logger });
  });

  it("sends what the connection transmitted during Connect before the welcome", async () => {
    const res = await lobby.connect({ env: env({ url: "http://example.test/cable?user=ann" }) }, v1("c1"));
    expect(res.status).toBe(Status.SUCCESS);
    expect(res.transmissions).toEqual(['{"type":"notice","text":"checking your account"}', '{"type":"welcome","sid":"c1"}']);
    expect(res.env).toEqual({ cstate: { seen: "1" }, istate: {} });
  });

  it("sends what the connection transmitted before rejecting it, then the unauthorized disconnect, with its state", async () => {
    const res = await lobby.connect({ env: env({ url: "http://example.test/cable?user=mallory" }) }, v1("c2"));
    expect(res.status).toBe(Status.FAILURE);
    expect(res.transmissions).toEqual(['{"type":"notice","text":"checking your account"}', UNAUTHORIZED_DISCONNECT]);
    expect(res.env).toEqual({ cstate: { seen: "1" }, istate: {} });
  });

  it("keeps the state changes of a rejected subscription but none of its streams or transmissions", async () => {
    const res = await lobby.command(command({ command: "subscribe", identifier: LOBBY }), v1("c3"));
    expect(res.status).toBe(Status.FAILURE);
    expect(res.env).toEqual({ cstate: { last_refusal: "lobby" }, istate: { refused: "full" } });
    expect(res.transmissions).toEqual([JSON.stringify({ identifier: LOBBY, type: "reject_subscription" })]);
    expect(res.streams).toEqual([]);
  });

  it("passes a presence join and leave to anycable-go", async () => {
    const joined = await lobby.command(command({ identifier: LOBBY, data: '{"action":"wave"}' }), v1("c4"));
    expect(joined.status).toBe(Status.SUCCESS);
    expect(joined.presence).toEqual({ type: "join", id: "ann", info: '{"waving":true}', ttl: 0 });
    // The channel remembers which presence set it joined in its state; anycable-go sends it back.
    const istate = joined.env?.istate ?? {};
    expect(Object.keys(istate)).toHaveLength(1);
    const left = await lobby.command(command({ identifier: LOBBY, data: '{"action":"leave"}', env: env({ istate }) }), v1("c4"));
    expect(left.presence).toEqual({ type: "leave", id: "ann", info: "", ttl: 0 });
  });
});
