import { describe, expect, it } from "vitest";
import { Status } from "../../../src/rpc/messages.js";
import { UNAUTHORIZED_DISCONNECT } from "../../../src/rpc/mapping/responses.js";
import { BRIDGE_CREDENTIAL_HEADER, BridgeCredentials } from "../../../channels/credentials/bridge-credential.js";
import { ACCOUNT_SID, BRIDGE_SECRET, CALL_SID, callMonitorRpc, twilioHeaders } from "./support/call-monitor-rpc.js";

const credential = (options: { secret?: string; sid?: string; now?: number } = {}) =>
  new BridgeCredentials(options.secret ?? BRIDGE_SECRET, options.now === undefined ? {} : { now: () => options.now! }).issue(
    options.sid ?? CALL_SID,
  );

describe("call monitor connection", () => {
  it("accepts the bridge: the account header plus a credential for the call, identified by that CallSid", async () => {
    const rpc = callMonitorRpc();
    const response = await rpc.connect(twilioHeaders(), "s1");
    expect(response.status).toBe(Status.SUCCESS);
    expect(JSON.parse(response.identifiers)).toEqual({ role: "twilio", callSid: CALL_SID });
    expect(response.transmissions).toEqual([JSON.stringify({ type: "welcome", sid: "s1" })]);
  });

  it("accepts a browser (neither header) as a viewer", async () => {
    const rpc = callMonitorRpc();
    const response = await rpc.connect({ cookie: "a=b" });
    expect(response.status).toBe(Status.SUCCESS);
    expect(JSON.parse(response.identifiers)).toEqual({ role: "viewer" });
  });

  it("refuses the account header alone: the account SID is public, it proves nothing", async () => {
    const rpc = callMonitorRpc();
    const response = await rpc.connect({ "x-twilio-account": ACCOUNT_SID });
    expect(response.status).toBe(Status.FAILURE);
    expect(response.transmissions).toEqual([UNAUTHORIZED_DISCONNECT]);
    expect(response.error_msg).toBe(`${BRIDGE_CREDENTIAL_HEADER} is required`);
  });

  const badCredentials: Array<[string, () => string]> = [
    ["signed with another secret", () => credential({ secret: "some-other-secret-0123456789" })],
    ["issued too long ago", () => credential({ now: Date.now() - 61_000 })],
    ["issued in the future", () => credential({ now: Date.now() + 60_000 })],
    ["for another call, re-labelled", () => credential({ sid: "CAffffffffffffffffffffffffffffffff" }).replace(/CAf{32}/, CALL_SID)],
    ["with its MAC truncated", () => credential().slice(0, -1)],
    ["with a MAC character changed", () => credential().replace(/.$/, (c) => (c === "A" ? "B" : "A"))],
    ["empty", () => ""],
    ["garbage", () => "v1.nonsense"],
  ];

  it.each(badCredentials)("refuses a credential %s", async (_label, make) => {
    const rpc = callMonitorRpc();
    const response = await rpc.connect({ "x-twilio-account": ACCOUNT_SID, [BRIDGE_CREDENTIAL_HEADER]: make() });
    expect(response.status).toBe(Status.FAILURE);
    expect(response.identifiers).toBe("");
    expect(response.transmissions).toEqual([UNAUTHORIZED_DISCONNECT]);
  });

  it("refuses a valid credential without the account header", async () => {
    const rpc = callMonitorRpc();
    const response = await rpc.connect({ [BRIDGE_CREDENTIAL_HEADER]: credential() });
    expect(response.status).toBe(Status.FAILURE);
    expect(response.transmissions).toEqual([UNAUTHORIZED_DISCONNECT]);
  });

  const nearMisses: Array<[string, string]> = [
    ["other case", ACCOUNT_SID.toUpperCase().replace(/^AC/, "ac")],
    ["upper-case hex", `AC${ACCOUNT_SID.slice(2).toUpperCase()}`],
    ["a prefix", ACCOUNT_SID.slice(0, -1)],
    ["a suffix added", `${ACCOUNT_SID}0`],
    ["the tail only", ACCOUNT_SID.slice(2)],
    ["one character changed", `${ACCOUNT_SID.slice(0, -1)}e`],
    ["empty", ""],
    ["leading space", ` ${ACCOUNT_SID}`],
    ["trailing space", `${ACCOUNT_SID} `],
    ["trailing newline", `${ACCOUNT_SID}\n`],
    ["another account", "AC00000000000000000000000000000000"],
  ];

  it.each(nearMisses)("refuses an account that is %s, even with a valid credential", async (_label, claimed) => {
    const rpc = callMonitorRpc();
    const response = await rpc.connect({ "x-twilio-account": claimed, [BRIDGE_CREDENTIAL_HEADER]: credential() });
    expect(response.status).toBe(Status.FAILURE);
    expect(response.identifiers).toBe("");
    expect(response.transmissions).toEqual([UNAUTHORIZED_DISCONNECT]);
    expect(JSON.stringify(rpc.logs)).not.toContain(ACCOUNT_SID.slice(2, 20));
  });

  it("refuses every media stream when TWILIO_ACCOUNT_SID is unset, and says why", async () => {
    const rpc = callMonitorRpc({ TWILIO_BRIDGE_SECRET: BRIDGE_SECRET });
    const response = await rpc.connect(twilioHeaders());
    expect(response.status).toBe(Status.FAILURE);
    expect(response.transmissions).toEqual([UNAUTHORIZED_DISCONNECT]);
    expect(rpc.logs.map((l) => l.msg)).toContainEqual(expect.stringMatching(/TWILIO_ACCOUNT_SID is not set/));
    // Browsers still get in: the dashboard works without Twilio.
    expect((await rpc.connect({})).status).toBe(Status.SUCCESS);
  });

  it("refuses every media stream when no bridge secret is set, and says why", async () => {
    const rpc = callMonitorRpc({ TWILIO_ACCOUNT_SID: ACCOUNT_SID });
    const response = await rpc.connect(twilioHeaders());
    expect(response.status).toBe(Status.FAILURE);
    expect(rpc.logs.map((l) => l.msg)).toContainEqual(expect.stringMatching(/neither TWILIO_BRIDGE_SECRET nor ANYCABLE_SECRET is set/));
    expect((await rpc.connect({})).status).toBe(Status.SUCCESS);
  });

  it("derives the bridge key from ANYCABLE_SECRET when TWILIO_BRIDGE_SECRET is unset", async () => {
    const rpc = callMonitorRpc({ TWILIO_ACCOUNT_SID: ACCOUNT_SID, ANYCABLE_SECRET: BRIDGE_SECRET });
    expect((await rpc.connect(twilioHeaders())).status).toBe(Status.SUCCESS);
    const other = callMonitorRpc({ TWILIO_ACCOUNT_SID: ACCOUNT_SID, ANYCABLE_SECRET: "x".repeat(20), TWILIO_BRIDGE_SECRET: BRIDGE_SECRET });
    expect((await other.connect(twilioHeaders())).status).toBe(Status.SUCCESS);
  });

  it("treats an empty TWILIO_ACCOUNT_SID as unset", async () => {
    const rpc = callMonitorRpc({ TWILIO_ACCOUNT_SID: "", TWILIO_BRIDGE_SECRET: BRIDGE_SECRET });
    expect((await rpc.connect({ ...twilioHeaders(), "x-twilio-account": "" })).status).toBe(Status.FAILURE);
  });

  it("refuses to build the application with a malformed TWILIO_ACCOUNT_SID or a short bridge secret", () => {
    expect(() => callMonitorRpc({ TWILIO_ACCOUNT_SID: "SK123" })).toThrow(/TWILIO_ACCOUNT_SID: must start with "AC"/);
    expect(() => callMonitorRpc({ TWILIO_ACCOUNT_SID: " AC123" })).toThrow(/TWILIO_ACCOUNT_SID/);
    expect(() => callMonitorRpc({ TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_BRIDGE_SECRET: "short" })).toThrow(/TWILIO_BRIDGE_SECRET/);
  });
});
