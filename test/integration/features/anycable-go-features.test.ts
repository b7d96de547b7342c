// The AnyCable features of issue 11 through a stock anycable-go, driven by @anycable/core clients
// speaking the extended Action Cable protocol: whispers, broadcasts to others, records'
// broadcastings, remote disconnects, JWT identification, signed $pubsub and Turbo streams,
// rescueFrom, and presence (anycable-go 1.6+). anycable-go runs with one --secret from which it
// derives the JWT, streams and broadcast secrets; our side derives them from the same
// ANYCABLE_SECRET, so the test also pins that both halves agree.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  createBroadcaster,
  jwtIdentification,
  loadBroadcastConfig,
  loadJwtConfig,
  loadStreamsConfig,
  loadPresenceApiConfig,
  PresenceApi,
  PresenceApiError,
  signStreamName,
  signTurboStreamName,
  broadcastingFor,
  issueJwt,
  silentLogger,
  startRpcServer,
  type Broadcaster,
  type RunningRpcServer,
} from "../../../src/index.js";
import app, { FeatureConnection, Room, RoomChannel, featureJournal } from "../../fixtures/features-app.js";
import {
  anycableGoAtLeast,
  anycableGoVersion,
  connectCable,
  createCableClient,
  freePort,
  startAnycableGo,
  waitFor,
  type AnycableGo,
  type CableClient,
  type ChannelSubscription,
} from "../../support/index.js";

const SECRET = "features-s3cret";
const ENV = { ANYCABLE_SECRET: SECRET };
const VERSION = anycableGoVersion();
const HAS_PRESENCE = anycableGoAtLeast(VERSION, 1, 6);
// Presence exists from 1.6: each binary gets the suite that pins its own behaviour, and only that
// suite is defined (not skipped), so the run's titles say which one ran.
const describeFor = (applies: boolean): typeof describe | ((title: string, body: () => void) => void) =>
  applies ? describe : () => undefined;

/** The RPC transports anycable-go speaks; the features that touch RPC run over each. */
const TRANSPORTS = [
  { name: "gRPC", rpcHost: (port: number) => `127.0.0.1:${port}`, startupLog: /impl: grpc/ },
  // The HTTP RPC bearer secret is derived from ANYCABLE_SECRET on both sides.
  { name: "HTTP RPC", rpcHost: (port: number) => `http://127.0.0.1:${port}/_anycable`, startupLog: /impl: http/ },
] as const;

interface PresenceEvent {
  type: string;
  id: string;
  info?: unknown;
}

describe.each(TRANSPORTS)(`AnyCable features through anycable-go ${VERSION}, RPC over $name`, (transport) => {
  let anycable: AnycableGo;
  let rpc: RunningRpcServer;
  let broadcaster: Broadcaster;
  const clients: CableClient[] = [];

  beforeAll(async () => {
    const rpcPort = await freePort();
    anycable = await startAnycableGo({
      rpcHost: transport.rpcHost(rpcPort),
      httpBroadcastOnMainPort: true,
      args: [`--secret=${SECRET}`, "--broker=memory", "--turbo_streams"],
    });
    const logger = silentLogger();
    broadcaster = createBroadcaster(
      loadBroadcastConfig({ ...ENV, ANYCABLE_BROADCAST_ADAPTER: "http", ANYCABLE_HTTP_BROADCAST_URL: anycable.broadcastUrl }),
      logger,
      { settleOn: "delivered" },
    );
    rpc = await startRpcServer({ app, broadcaster, logger, env: { ...ENV, ANYCABLE_RPC_HOST: transport.rpcHost(rpcPort) } });
  });

  afterAll(async () => {
    await anycable?.stop();
    await rpc?.stop();
  });

  beforeEach(() => {
    featureJournal.length = 0;
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
  });

  async function connect(user: string, query: Record<string, string> = {}): Promise<CableClient> {
    const url = new URL(anycable.url);
    url.searchParams.set("user", user);
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
    const client = await connectCable(url.toString(), { protocol: "actioncable-v1-ext-json" });
    clients.push(client);
    return client;
  }

  // The memory broker keeps stream history and the extended protocol may replay it on subscribe,
  // so each test uses rooms of its own.
  let nextRoom = 100;
  beforeEach(() => {
    nextRoom += 100;
  });
  const roomId = (offset = 0): number => nextRoom + offset;

  async function joinRoom(user: string, id = roomId()): Promise<{ client: CableClient; room: ChannelSubscription }> {
    const client = await connect(user);
    return { client, room: await client.subscribe("RoomChannel", { id }) };
  }

  it(`reaches the RPC server over ${transport.name}`, () => {
    expect(anycable.logs()).toMatch(transport.startupLog);
  });

  describe("whispers: streamFrom(name, { whisper: true })", () => {
    it("relays a client's whisper to every other subscriber, not back to the sender, without RPC", async () => {
      const ann = await joinRoom("ann");
      const bob = await joinRoom("bob");
      const cy = await joinRoom("cy");
      await ann.room.channel.whisper({ typing: "ann" });
      expect(await bob.room.waitForMessage()).toEqual({ typing: "ann" });
      expect(await cy.room.waitForMessage()).toEqual({ typing: "ann" });
      // The sender's own copy would have arrived before this later broadcast on the same stream.
      await bob.room.perform("shout", { text: "after" });
      expect(await ann.room.waitForMessage()).toEqual({ from: "bob", text: "after" });
      expect(ann.room.messages).toEqual([{ from: "bob", text: "after" }]);
    });
  });

  describe("broadcasting conveniences", () => {
    it("broadcastTo(record, data, { toOthers: true }) reaches every subscriber but the sender's socket", async () => {
      const ann = await joinRoom("ann");
      const bob = await joinRoom("bob");
      await ann.room.perform("say", { text: "hi all but me" });
      expect(await bob.room.waitForMessage()).toEqual({ from: "ann", text: "hi all but me" });
      await ann.room.perform("shout", { text: "and me" });
      expect(await ann.room.waitForMessage()).toEqual({ from: "ann", text: "and me" });
      expect(ann.room.messages).toEqual([{ from: "ann", text: "and me" }]);
    });

    it("streamFor(record) listens on the Action Cable broadcasting name a Rails app would publish to", async () => {
      const { room } = await joinRoom("ann", roomId(7));
      // What `RoomChannel.broadcast_to(room, …)` publishes to in Rails: "room:" + Room 7's GlobalID param.
      const railsName = `room:${Buffer.from(`gid://features/Room/${roomId(7)}`).toString("base64url")}`;
      expect(RoomChannel.broadcastingFor(new Room(roomId(7)))).toBe(railsName);
      await broadcaster.broadcast(railsName, { from: "rails" });
      expect(await room.waitForMessage()).toEqual({ from: "rails" });
      await RoomChannel.broadcastTo(broadcaster, new Room(roomId(7)), { from: "static broadcastTo" });
      expect(await room.waitForMessage((m: { from?: string }) => m.from === "static broadcastTo")).toEqual({ from: "static broadcastTo" });
    });

    it("remoteDisconnect(identifiers) closes exactly the connections registered under them", async () => {
      const ann = await connect("ann", { tenant: "acme" });
      const annElsewhere = await connect("ann", { tenant: "globex" });
      const bob = await connect("bob", { tenant: "acme" });
      // Keys in another order than the schema's: the helper still builds the registered string.
      await FeatureConnection.remoteDisconnect(broadcaster, { user: "ann", tenant: "acme" });
      const ended = await ann.waitDisconnected();
      expect(ended.reason).toBe("remote");
      expect(annElsewhere.state()).toBe("connected");
      expect(bob.state()).toBe("connected");
      await FeatureConnection.remoteDisconnect(broadcaster, { tenant: "globex", user: "ann" }, { reconnect: true });
      const second = await annElsewhere.waitDisconnected();
      expect(second.kind).toBe("disconnect");
      expect(bob.state()).toBe("connected");
    });
  });

  describe("JWT identification (?jid=)", () => {
    const jwt = jwtIdentification(FeatureConnection, { secret: loadJwtConfig(ENV).secret ?? "" });

    it("connects with a token anycable-go verifies, without a Connect call, and channels read its identifiers", async () => {
      const client = await connectCable(jwt.url(anycable.url, { user: "tokened", tenant: "acme" }), {
        protocol: "actioncable-v1-ext-json",
      });
      clients.push(client);
      const room = await client.subscribe("RoomChannel", { id: roomId() });
      await room.perform("whoami");
      expect(await room.waitForMessage()).toEqual({ identifiers: { tenant: "acme", user: "tokened" } });
      expect(featureJournal).not.toContain("connect:tokened");
    });

    it("refuses an expired token with token_expired, and a forged one with unauthorized", async () => {
      const expired = createCableClient(
        `${anycable.url}?jid=${jwt.issue({ user: "late", tenant: "acme" }, { expiresAt: new Date(Date.now() - 60_000) })}`,
        { protocol: "actioncable-v1-ext-json" },
      );
      clients.push(expired);
      expect((await expired.waitDisconnected()).reason).toBe("token_expired");
      const forgedToken = issueJwt(FeatureConnection.identifiersJson({ user: "mallory", tenant: "acme" }), { secret: "not-the-secret" });
      const forged = createCableClient(`${anycable.url}?jid=${forgedToken}&user=mallory`, { protocol: "actioncable-v1-ext-json" });
      clients.push(forged);
      expect((await forged.waitDisconnected()).reason).toBe("unauthorized");
      expect(featureJournal).not.toContain("connect:mallory");
    });
  });

  describe("signed streams", () => {
    const streams = loadStreamsConfig(ENV);

    it("a $pubsub subscription with a name signed by signStreamName receives the stream's broadcasts", async () => {
      const client = await connect("ann");
      const channel = client.cable.streamFromSigned(signStreamName("chat:2021", streams.secret ?? ""));
      const received: unknown[] = [];
      channel.on("message", (message: unknown) => received.push(message));
      await channel.ensureSubscribed();
      await broadcaster.broadcast("chat:2021", { text: "signed" });
      await waitFor(() => received.length > 0, { description: "the signed stream's broadcast" });
      expect(received).toEqual([{ text: "signed" }]);
    });

    it("anycable-go refuses a $pubsub name signed with another secret", async () => {
      const client = await connect("ann");
      const channel = client.cable.streamFromSigned(signStreamName("chat:2021", "another-secret"));
      await expect(channel.ensureSubscribed()).rejects.toThrow(/reject/i);
    });

    it("a Turbo::StreamsChannel subscription with signTurboStreamName(records) streams the Turbo broadcasting", async () => {
      const client = await connect("ann");
      const signed = signTurboStreamName([new Room(roomId(3)), "messages"], streams.turboSecret ?? "");
      const turbo = await client.subscribe("Turbo::StreamsChannel", { signed_stream_name: signed });
      await broadcaster.broadcast(broadcastingFor([new Room(roomId(3)), "messages"]), "<turbo-stream></turbo-stream>");
      expect(await turbo.waitForMessage()).toBe("<turbo-stream></turbo-stream>");
    });
  });

  describe("rescueFrom", () => {
    it("a channel's handler answers for the error class it maps, the most specific declaration first", async () => {
      const { room } = await joinRoom("ann");
      await room.perform("fail", { kind: "validation" });
      expect(await room.waitForMessage()).toEqual({ rescued: "validation", message: "text is too rude" });
      await room.perform("fail", { kind: "strict" });
      expect(await room.waitForMessage((m: { rescued?: string }) => m.rescued === "strict")).toEqual({
        rescued: "strict",
        message: "text is far too rude",
      });
    });

    it("a handler may reject the subscription", async () => {
      const client = await connect("ann");
      await expect(client.subscribe("RoomChannel", { id: 13 })).rejects.toThrow(/reject/i);
      expect(featureJournal).toContain("rejected:13:room 13 is closed");
    });

    it("an error no channel handler takes goes to the connection's rescueFrom", async () => {
      const { client, room } = await joinRoom("ann");
      await room.perform("fail", { kind: "connection" });
      await client.waitDisconnected();
      expect(featureJournal).toContain("rescued-by-connection:ann:session is stale");
    });

    it("an unhandled error keeps the ERROR behaviour: nothing is sent and the subscription lives on", async () => {
      const { room } = await joinRoom("ann");
      await room.perform("fail", { kind: "unhandled" });
      await room.perform("shout", { text: "still here" });
      expect(await room.waitForMessage()).toEqual({ from: "ann", text: "still here" });
      expect(room.messages).toEqual([{ from: "ann", text: "still here" }]);
    });

    it("a connection's handler may turn a connect error into an unauthorized rejection", async () => {
      const client = createCableClient(`${anycable.url}?user=flaky`, { protocol: "actioncable-v1-ext-json" });
      clients.push(client);
      expect((await client.waitDisconnected()).reason).toBe("unauthorized");
      expect(featureJournal).toContain("rescued-connect:directory unavailable");
    });
  });

  describeFor(HAS_PRESENCE)(`presence, for anycable-go 1.6+ (this binary: ${VERSION})`, () => {
    function presenceEvents(subscription: ChannelSubscription): PresenceEvent[] {
      const events: PresenceEvent[] = [];
      subscription.channel.on("presence", (event) => {
        events.push(event as PresenceEvent);
      });
      return events;
    }

    it("joinPresence from an action adds the socket to the stream marked presence; others get join and leave", async () => {
      const bob = await joinRoom("bob", roomId(5));
      const seenByBob = presenceEvents(bob.room);
      const ann = await joinRoom("ann", roomId(5));
      await ann.room.perform("join", { name: "Ann" });
      await waitFor(() => seenByBob.some((e) => e.type === "join"), { description: "bob to see ann join" });
      expect(seenByBob).toEqual([{ type: "join", id: "ann", info: { name: "Ann" } }]);
      expect(await bob.room.channel.presence.info()).toEqual({ ann: { name: "Ann" } });
      // The server reads the same set through anycable-go's API, the secret derived from ANYCABLE_SECRET.
      const api = new PresenceApi(loadPresenceApiConfig({ ...ENV, ANYCABLE_API_URL: `${anycable.httpUrl}/api` }));
      const stream = RoomChannel.broadcastingFor(new Room(roomId(5)));
      expect(await api.info(stream)).toEqual({ total: 1, records: [{ id: "ann", info: { name: "Ann" } }] });
      await ann.room.perform("leave");
      await waitFor(() => seenByBob.some((e) => e.type === "leave"), { description: "bob to see ann leave" });
      expect(seenByBob.at(-1)).toEqual({ type: "leave", id: "ann" });
      expect(await api.info(stream)).toEqual({ total: 0, records: [] });
      const forged = new PresenceApi({ url: `${anycable.httpUrl}/api`, secret: "guess" });
      await expect(forged.info(stream)).rejects.toMatchObject({ name: "PresenceApiError", status: 401 });
    });

    it("joinPresence in subscribed uses the stream just started and the connection identifier by default", async () => {
      const bob = await connect("bob", { tenant: "acme" });
      const lobby = await bob.subscribe("LobbyChannel", { id: roomId() });
      const seenByBob = presenceEvents(lobby);
      const ann = await connect("ann", { tenant: "acme" });
      await ann.subscribe("LobbyChannel", { id: roomId() });
      await waitFor(() => seenByBob.some((e) => e.id === "acme:ann"), { description: "bob to see ann join the lobby" });
      // Action Cable's connection_identifier: the identifier values joined with ":".
      expect(await lobby.channel.presence.info()).toEqual({ "acme:bob": { via: "subscribed" }, "acme:ann": { via: "subscribed" } });
    });

    it("clients join, leave and ask for info themselves on a channel stream marked presence", async () => {
      const ann = await joinRoom("ann", roomId(6));
      const bob = await joinRoom("bob", roomId(6));
      const seenByAnn = presenceEvents(ann.room);
      await bob.room.channel.presence.join("bob", { name: "Bob" });
      await waitFor(() => seenByAnn.some((e) => e.type === "join"), { description: "ann to see bob join" });
      expect(await ann.room.channel.presence.info()).toEqual({ bob: { name: "Bob" } });
      await bob.room.unsubscribe();
      await waitFor(() => seenByAnn.some((e) => e.type === "leave"), { description: "bob's leave on unsubscribe" });
    });
  });

  describeFor(!HAS_PRESENCE)(`presence ignored, for anycable-go before 1.6 (this binary: ${VERSION})`, () => {
    it("joinPresence on anycable-go before 1.6 changes nothing for the subscription", async () => {
      const { room } = await joinRoom("ann", roomId(5));
      await room.perform("join", { name: "Ann" });
      await room.perform("shout", { text: "after join" });
      expect(await room.waitForMessage()).toEqual({ from: "ann", text: "after join" });
    });

    it("the presence API is not there to read", async () => {
      const api = new PresenceApi(loadPresenceApiConfig({ ...ENV, ANYCABLE_API_URL: `${anycable.httpUrl}/api` }));
      await expect(api.info("room:1")).rejects.toBeInstanceOf(PresenceApiError);
    });
  });
});
