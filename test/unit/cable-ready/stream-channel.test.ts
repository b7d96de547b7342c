import { describe, expect, it } from "vitest";
import { CallOutput } from "../../../src/cable/call-output.js";
import { Connection } from "../../../src/cable/connection.js";
import { InvalidParamsError, UnknownActionError } from "../../../src/cable/errors.js";
import { ChannelRegistry } from "../../../src/cable/registry.js";
import { Request } from "../../../src/cable/request.js";
import { StateStore } from "../../../src/cable/state.js";
import { silentLogger, type Logger } from "../../../src/logging/logger.js";
import { signStreamName } from "../../../src/streams/signed-stream-name.js";
import { CABLE_READY_STREAM_CHANNEL, createCableReadyStreamChannel } from "../../../src/cable-ready/stream-channel.js";
import { captureLogger, type LogLine } from "../../support/capture-logger.js";
import { RecordingBroadcaster } from "./recording-broadcaster.js";

const SECRET = "secret";

/** A logger that keeps what it writes, to see why a subscription was refused. */
function recordingLogger(): { logger: Logger; entries: LogLine[] } {
  const { logger, lines } = captureLogger({ level: "warn" });
  return { logger, entries: lines };
}

/** Subscribes the way the RPC layer does: resolve the raw identifier, build the channel, run subscribed(). */
async function subscribe(secret: string | undefined, params: Record<string, unknown>, logger: Logger = silentLogger()) {
  const registry = new ChannelRegistry([createCableReadyStreamChannel(secret)]);
  const identifier = JSON.stringify({ channel: CABLE_READY_STREAM_CHANNEL, ...params });
  const { channel, params: parsed } = registry.resolve(identifier);
  const output = new CallOutput();
  const connection = new Connection({
    sid: "sid-1",
    request: new Request("http://localhost:8080/cable", { REMOTE_ADDR: "127.0.0.1" }),
    state: new StateStore(),
    broadcaster: new RecordingBroadcaster(),
    logger,
    output,
  });
  const instance = new channel.channelClass({
    connection: connection as never,
    identifier,
    params: parsed,
    state: new StateStore(),
    output,
  });
  await instance.subscribed();
  return { instance, output, registry, channel };
}

describe("CableReady::Stream channel", () => {
  it("is registered under the identifier the cable_ready client subscribes to, with no actions", async () => {
    const { registry, channel } = await subscribe(SECRET, { identifier: signStreamName("calls", SECRET) });
    expect(registry.names).toEqual(["CableReady::Stream"]);
    expect(() => registry.resolveAction(channel, JSON.stringify({ action: "subscribed" }))).toThrow(UnknownActionError);
    expect(() => registry.resolveAction(channel, JSON.stringify({ action: "stream_from" }))).toThrow(UnknownActionError);
  });

  it("streams from the name inside a validly signed identifier", async () => {
    const { instance, output } = await subscribe(SECRET, { identifier: signStreamName("calls", SECRET) });
    expect(instance.rejected).toBe(false);
    expect(output.streams).toEqual(["calls"]);
  });

  it("streams from compound names signed by the page helper", async () => {
    const { output } = await subscribe("s3cЯeT", { identifier: signStreamName(["call", "CA123"], "s3cЯeT") });
    expect(output.streams).toEqual(["call:CA123"]);
  });

  const forged = [
    ["a name signed with a foreign key", signStreamName("calls", "someone-elses-key"), "bad-digest"],
    ["tampered data", `${Buffer.from('"admin"').toString("base64")}--${signStreamName("calls", SECRET).split("--")[1]}`, "bad-digest"],
    ["a malformed identifier", "calls", "malformed"],
    ["an empty identifier", "", "malformed"],
  ] as const;

  it.each(forged)("rejects %s and logs why", async (_what, identifier, reason) => {
    const { logger, entries } = recordingLogger();
    const { instance, output } = await subscribe(SECRET, { identifier }, logger);
    expect(instance.rejected).toBe(true);
    expect(output.streams).toEqual([]);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ level: 40, reason, channel: "CableReady::Stream", sid: "sid-1" });
  });

  it("rejects a validly signed name that is not a string (anycable-go's rule)", async () => {
    const { logger, entries } = recordingLogger();
    const fixture = "WyJjaGF0LzIwMjMiLDE2ODUwMjQwMTdd--5b6661024d4c463c4936cd1542bc9a7672dd8039ac407d0b6c901697190e8aeb";
    const { instance, output } = await subscribe("s3Krit", { identifier: fixture }, logger);
    expect(instance.rejected).toBe(true);
    expect(output.streams).toEqual([]);
    expect(entries[0]).toMatchObject({ reason: "not-a-string-name" });
  });

  it("rejects every subscription, with a warning, when no secret is configured", async () => {
    const { logger, entries } = recordingLogger();
    const { instance, output } = await subscribe(undefined, { identifier: signStreamName("calls", SECRET) }, logger);
    expect(instance.rejected).toBe(true);
    expect(output.streams).toEqual([]);
    expect(String(entries[0]?.msg)).toMatch(/no Cable Ready secret/);
  });

  it("never throws from subscribed(), even when built without validated params", async () => {
    const Channel = createCableReadyStreamChannel(SECRET);
    const output = new CallOutput();
    const connection = new Connection({
      sid: "sid-2",
      request: new Request("http://localhost/cable", {}),
      state: new StateStore(),
      broadcaster: new RecordingBroadcaster(),
      logger: silentLogger(),
      output,
    });
    const instance = new Channel({ connection, identifier: "{}", params: { identifier: 42 }, state: new StateStore(), output });
    expect(() => instance.subscribed()).not.toThrow();
    expect(instance.rejected).toBe(true);
  });

  it("leaves an identifier without a signed name to the registry, which refuses it", () => {
    const registry = new ChannelRegistry([createCableReadyStreamChannel(SECRET)]);
    expect(() => registry.resolve(JSON.stringify({ channel: CABLE_READY_STREAM_CHANNEL }))).toThrow(InvalidParamsError);
    expect(() => registry.resolve(JSON.stringify({ channel: CABLE_READY_STREAM_CHANNEL, identifier: ["x"] }))).toThrow(InvalidParamsError);
  });

  it("refuses to be built with an empty secret: pass undefined when there is none", () => {
    expect(() => createCableReadyStreamChannel("")).toThrow(TypeError);
  });
});

describe("CableReady::Stream channel's warnings", () => {
  // The identifier is attacker-controlled: the log shows enough of it to correlate, never all of it.
  async function warningFor(secret: string | undefined, identifier: unknown) {
    const { logger, entries } = recordingLogger();
    await subscribe(secret, { identifier }, logger);
    expect(entries).toHaveLength(1);
    return entries[0] as LogLine;
  }

  it("says a refused name does not verify, and why", async () => {
    const line = await warningFor(SECRET, "calls");
    expect(line.msg).toBe("CableReady::Stream subscription rejected: the signed stream name does not verify");
    expect(line).toMatchObject({ identifier: "calls", reason: "malformed" });
  });

  it("logs an identifier of up to 80 characters whole", async () => {
    const eighty = "a".repeat(80);
    expect((await warningFor(SECRET, eighty)).identifier).toBe(eighty);
  });

  it("cuts a longer identifier to its first 80 characters and marks the cut", async () => {
    const long = `${"b".repeat(80)}${"c".repeat(8000)}`;
    expect((await warningFor(SECRET, long)).identifier).toBe(`${"b".repeat(80)}…`);
    expect((await warningFor(SECRET, `${"d".repeat(80)}e`)).identifier).toBe(`${"d".repeat(80)}…`);
  });

  it("shows the signed name it refused when no secret is configured", async () => {
    const signed = signStreamName(["call", "CA0123456789abcdef0123456789abcdef"], SECRET);
    const line = await warningFor(undefined, signed);
    expect(line.msg).toMatch(/^CableReady::Stream subscription rejected: no Cable Ready secret is configured/);
    expect(line.identifier).toBe(`${signed.slice(0, 80)}…`);
  });

  it("names the type of an identifier that is not a string", async () => {
    const { logger, entries } = recordingLogger();
    const Channel = createCableReadyStreamChannel(SECRET);
    const output = new CallOutput();
    const connection = new Connection({
      sid: "sid-3",
      request: new Request("http://localhost/cable", {}),
      state: new StateStore(),
      broadcaster: new RecordingBroadcaster(),
      logger,
      output,
    });
    const instance = new Channel({ connection, identifier: "{}", params: { identifier: 42 }, state: new StateStore(), output });
    instance.subscribed();
    expect(entries[0]).toMatchObject({ identifier: "(number)", reason: "not-a-string" });
  });
});

describe("createCableReadyStreamChannel's secret", () => {
  it("refuses a secret that is not a string when built, not at the first subscription", () => {
    for (const secret of [42, null, Buffer.from("secret")]) {
      expect(() => createCableReadyStreamChannel(secret as unknown as string)).toThrow(
        "The Cable Ready secret must be a non-empty string, or undefined when there is none",
      );
    }
  });
});
