// RecordingBroadcaster, the Broadcaster a test hands to an application to read what it published.
import { describe, expect, it } from "vitest";
import { RecordingBroadcaster } from "../../../src/testing/recording-broadcaster.js";

describe("RecordingBroadcaster", () => {
  it("records each broadcast as a batch of one, objects JSON-encoded, with its meta when it has one", async () => {
    const broadcasts = new RecordingBroadcaster();
    await broadcasts.broadcast("chat:lobby", { text: "hi" }, { exclude_socket: "s-1", transient: true });
    await broadcasts.broadcast("chat:lobby", "plain text");
    expect(broadcasts.publications).toEqual([
      [{ stream: "chat:lobby", data: '{"text":"hi"}', meta: { exclude_socket: "s-1", transient: true } }],
      [{ stream: "chat:lobby", data: "plain text" }],
    ]);
    expect(broadcasts.publications[1]![0]).not.toHaveProperty("meta");
  });

  it("records a broadcastMany as one batch, a copy of what it was given", async () => {
    const broadcasts = new RecordingBroadcaster();
    const batch = [
      { stream: "a", data: "1" },
      { stream: "b", data: "2" },
    ];
    await broadcasts.broadcastMany(batch);
    batch.push({ stream: "c", data: "3" });
    expect(broadcasts.publications).toEqual([
      [
        { stream: "a", data: "1" },
        { stream: "b", data: "2" },
      ],
    ]);
    expect(broadcasts.all).toEqual([
      { stream: "a", data: "1" },
      { stream: "b", data: "2" },
    ]);
  });

  it("reads the messages to one stream, JSON-decoded when they are JSON", async () => {
    const broadcasts = new RecordingBroadcaster();
    await broadcasts.broadcast("chat:lobby", { text: "hi" });
    await broadcasts.broadcastMany([
      { stream: "chat:other", data: '{"text":"elsewhere"}' },
      { stream: "chat:lobby", data: "not json {" },
    ]);
    expect(broadcasts.messagesTo("chat:lobby")).toEqual([{ text: "hi" }, "not json {"]);
    expect(broadcasts.messagesTo("nobody")).toEqual([]);
  });

  it("records remote commands, is open until closed, and forgets everything on clear()", async () => {
    const broadcasts = new RecordingBroadcaster();
    await broadcasts.broadcast("s", "x");
    await broadcasts.broadcastCommand({ command: "disconnect", payload: { identifier: '{"user":"ann"}', reconnect: false } });
    expect(broadcasts.commands).toEqual([{ command: "disconnect", payload: { identifier: '{"user":"ann"}', reconnect: false } }]);
    expect(broadcasts.closed).toBe(false);

    broadcasts.clear();
    expect([broadcasts.publications, broadcasts.commands]).toEqual([[], []]);
    await broadcasts.close();
    expect(broadcasts.closed).toBe(true);
  });
});
