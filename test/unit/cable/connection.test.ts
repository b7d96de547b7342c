// Connection on its own, and the small pieces it stands on: identifiers as Action Cable joins
// them, what a call transmits, the request's headers and cookies, and text cut for logs.
import { describe, expect, it } from "vitest";
import { CallOutput } from "../../../src/cable/call-output.js";
import { Connection, runConnect } from "../../../src/cable/connection.js";
import { DefinitionError, UnauthorizedError } from "../../../src/cable/errors.js";
import { connectionIdentifier, encodeIdentifiers } from "../../../src/cable/identifiers.js";
import { Request } from "../../../src/cable/request.js";
import { StateStore } from "../../../src/cable/state.js";
import { truncate } from "../../../src/cable/truncate.js";
import { z } from "../../../src/index.js";
import { RecordingBroadcaster } from "../../fixtures/recording-broadcaster.js";
import { captureLogger } from "../../support/capture-logger.js";

const UserIdentifiers = z.object({ user: z.string().min(1) });

class UserConnection extends Connection<z.infer<typeof UserIdentifiers>> {
  static override identifiers = UserIdentifiers;
}

function build<C extends Connection>(ConnectionClass: new (init: ConstructorParameters<typeof Connection>[0]) => C, sid = "sid-1") {
  const logs = captureLogger();
  const output = new CallOutput();
  const connection = new ConnectionClass({
    sid,
    request: new Request("http://x/cable", {}),
    state: new StateStore(),
    broadcaster: new RecordingBroadcaster(),
    logger: logs.logger,
    output,
  });
  return { connection, output, logs };
}

describe("connectionIdentifier", () => {
  it("joins values as Action Cable does: strings as they are, numbers, booleans and bigints as text, objects as JSON, nulls dropped", () => {
    expect(connectionIdentifier({ a: "ann", b: 42, c: true, d: 10n, e: null, f: undefined, g: { id: 1 }, h: [1, "x"] })).toBe(
      'ann:42:true:10:{"id":1}:[1,"x"]',
    );
    expect(connectionIdentifier({})).toBe("");
  });

  it("writes numbers as their text, NaN and Infinity included, where JSON would write null", () => {
    expect(connectionIdentifier({ a: Number.NaN, b: Infinity, c: -1.5 })).toBe("NaN:Infinity:-1.5");
  });

  it("encodes no identifiers as an empty object", () => {
    expect(encodeIdentifiers(undefined)).toBe("{}");
    expect(encodeIdentifiers({ user: "ann" })).toBe('{"user":"ann"}');
  });
});

describe("Connection", () => {
  it("has no identifiers until identifiedBy, and says how to fix a read before it", () => {
    const { connection } = build(UserConnection);
    expect(connection.identified).toBe(false);
    expect(() => connection.identifiers).toThrow("UserConnection has no identifiers: call identifiedBy() in connect()");
    connection.identifiedBy({ user: "ann" });
    expect(connection.identified).toBe(true);
    expect(connection.identifiers).toEqual({ user: "ann" });
  });

  it("refuses identifiers its schema does not accept, naming the class and the field", () => {
    const { connection } = build(UserConnection);
    expect(() => connection.identifiedBy({ user: "" })).toThrow(/^Invalid identifiers for UserConnection: .*user/s);
    expect(connection.identified).toBe(false);
  });

  it("accepts everyone anonymously by default", async () => {
    const { connection } = build(Connection);
    await runConnect(connection);
    expect(connection.identifiers).toEqual({});
  });

  it("refuses a connect() that neither identified nor rejected, saying what to call", async () => {
    class Forgetful extends Connection {
      override connect(): void {}
    }
    const { connection } = build(Forgetful);
    await expect(runConnect(connection)).rejects.toThrow(DefinitionError);
    await expect(runConnect(connection)).rejects.toThrow(
      new DefinitionError(
        "Forgetful.connect() returned without identifiedBy() or rejectUnauthorizedConnection(): " +
          "call this.identifiedBy({ ... }) with who the client is (identifiedBy({}) for an anonymous connection)",
      ),
    );
  });

  it("names an anonymous connection class Connection when its connect() forgets to identify", async () => {
    const [Anonymous] = [
      class extends Connection {
        override connect(): void {}
      },
    ];
    expect(Anonymous.name).toBe("");
    const { connection } = build(Anonymous);
    await expect(runConnect(connection)).rejects.toThrow(/^Connection\.connect\(\) returned without identifiedBy\(\)/);
  });

  it("rejects with an UnauthorizedError carrying the reason, or a default one", () => {
    const { connection } = build(UserConnection);
    expect(() => connection.rejectUnauthorizedConnection("bad token")).toThrow(new UnauthorizedError("bad token"));
    expect(() => connection.rejectUnauthorizedConnection()).toThrow("Connection rejected as unauthorized");
  });

  it("logs with the session id, once bound, and with extra bindings on request", () => {
    const { connection, logs } = build(UserConnection, "sid-9");
    expect(connection.logger).toBe(connection.logger);
    connection.logger.info("hello");
    connection.loggerWith({ channel: "chat" }).warn("careful");
    expect(logs.lines.map((l) => [l.msg, l.sid, l.channel])).toEqual([
      ["hello", "sid-9", undefined],
      ["careful", "sid-9", "chat"],
    ]);
  });

  it("transmits strings as they are and anything else as JSON, and asks for the socket to close", () => {
    const { connection, output } = build(UserConnection);
    connection.transmit("raw");
    connection.transmit({ type: "ping" });
    expect(output.transmissions).toEqual(["raw", '{"type":"ping"}']);
    expect(output.disconnect).toBe(false);
    connection.close();
    expect(output.disconnect).toBe(true);
  });
});

describe("Request", () => {
  it("reads the remote address under either spelling anycable-go uses", () => {
    expect(new Request("", { REMOTE_ADDR: "10.0.0.1", remote_addr: "10.0.0.2" }).remoteAddr).toBe("10.0.0.1");
    expect(new Request("", { remote_addr: "10.0.0.2" }).remoteAddr).toBe("10.0.0.2");
    expect(new Request("", {}).remoteAddr).toBeUndefined();
  });

  it("has no cookies without a cookie header, and parses them once", () => {
    const bare = new Request("http://x/", {});
    expect(bare.cookies).toEqual({});
    const request = new Request("http://x/", { cookie: "a=1" });
    expect(request.cookies).toBe(request.cookies);
    expect(Object.getPrototypeOf(request.cookies)).toBeNull();
  });

  it("parses the URL once, and has an empty path when it is not a URL", () => {
    const request = new Request("http://x/cable/v2?x=1", {});
    expect(request.parsedUrl).toBe(request.parsedUrl);
    expect(request.path).toBe("/cable/v2");
    expect(new Request("not a url", {}).path).toBe("");
  });
});

describe("truncate", () => {
  it("keeps text up to the limit and cuts longer text with an ellipsis", () => {
    expect(truncate("x".repeat(200))).toBe("x".repeat(200));
    expect(truncate("x".repeat(201))).toBe(`${"x".repeat(200)}…`);
    expect(truncate("abcdef", 3)).toBe("abc…");
  });
});
