import { describe, expect, it } from "vitest";
import { UNAUTHORIZED_DISCONNECT } from "../../../../src/rpc/mapping/responses.js";
import { BRIDGE_CREDENTIAL_HEADER } from "../../../../channels/cable/protocol.js";
import { BridgeCredentials } from "../../../../channels/credentials/bridge-credential.js";
import { callMonitorCable } from "../support/call-monitor-cable.js";
import { ACCOUNT_SID, BRIDGE_SECRET, CALL_SID, twilioHeaders } from "../support/call-monitor-rpc.js";

const UNAUTHORIZED = JSON.parse(UNAUTHORIZED_DISCONNECT) as unknown;
const cable = async (env?: NodeJS.ProcessEnv) => (await callMonitorCable(env)).cable;

const credential = (options: { secret?: string; sid?: string; now?: number } = {}) =>
  new BridgeCredentials(options.secret ?? BRIDGE_SECRET, options.now === undefined ? {} : { now: () => options.now! }).issue(
    options.sid ?? CALL_SID,
  );

describe("call monitor connection", () => {
  it("accepts the bridge: the account header plus a credential for the call, identified by that CallSid", async () => {
    const app = await cable();
    const response = await app.connect({ headers: twilioHeaders(), sid: "s1" });
    expect(response.status).toBe("success");
    expect(response.identifiers).toEqual({ role: "twilio", callSid: CALL_SID });
    expect(response.transmissions).toEqual([{ type: "welcome", sid: "s1" }]);
  });

  it("accepts a browser (neither header) as a viewer", async () => {
    const app = await cable();
    const response = await app.connect({ headers: { cookie: "a=b" } });
    expect(response.status).toBe("success");
    expect(response.identifiers).toEqual({ role: "viewer" });
  });

  it("refuses the account header alone: the account SID is public, it proves nothing", async () => {
    const app = await cable();
    const response = await app.connect({ headers: { "x-twilio-account": ACCOUNT_SID } });
    expect(response.status).toBe("failure");
    expect(response.transmissions).toEqual([UNAUTHORIZED]);
    expect(response.error).toBe(`${BRIDGE_CREDENTIAL_HEADER} is required`);
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
    const app = await cable();
    const response = await app.connect({ headers: { "x-twilio-account": ACCOUNT_SID, [BRIDGE_CREDENTIAL_HEADER]: make() } });
    expect(response.status).toBe("failure");
    expect(response.identifiers).toEqual({});
    expect(response.transmissions).toEqual([UNAUTHORIZED]);
  });

  it("refuses a valid credential without the account header", async () => {
    const app = await cable();
    const response = await app.connect({ headers: { [BRIDGE_CREDENTIAL_HEADER]: credential() } });
    expect(response.status).toBe("failure");
    expect(response.transmissions).toEqual([UNAUTHORIZED]);
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
    const app = await cable();
    const response = await app.connect({ headers: { "x-twilio-account": claimed, [BRIDGE_CREDENTIAL_HEADER]: credential() } });
    expect(response.status).toBe("failure");
    expect(response.identifiers).toEqual({});
    expect(response.transmissions).toEqual([UNAUTHORIZED]);
    expect(JSON.stringify(app.logs)).not.toContain(ACCOUNT_SID.slice(2, 20));
  });

  it("refuses every media stream when TWILIO_ACCOUNT_SID is unset, and says why", async () => {
    const app = await cable({ TWILIO_BRIDGE_SECRET: BRIDGE_SECRET });
    const response = await app.connect({ headers: twilioHeaders() });
    expect(response.status).toBe("failure");
    expect(response.transmissions).toEqual([UNAUTHORIZED]);
    expect(app.logs.map((l) => l.msg)).toContainEqual(expect.stringMatching(/TWILIO_ACCOUNT_SID is not set/));
    // Browsers still get in: the dashboard works without Twilio.
    expect((await app.connect({ headers: {} })).status).toBe("success");
  });

  it("refuses every media stream when no bridge secret is set, and says why", async () => {
    const app = await cable({ TWILIO_ACCOUNT_SID: ACCOUNT_SID });
    const response = await app.connect({ headers: twilioHeaders() });
    expect(response.status).toBe("failure");
    expect(app.logs.map((l) => l.msg)).toContainEqual(expect.stringMatching(/neither TWILIO_BRIDGE_SECRET nor ANYCABLE_SECRET is set/));
    expect((await app.connect({ headers: {} })).status).toBe("success");
  });

  it("derives the bridge key from ANYCABLE_SECRET when TWILIO_BRIDGE_SECRET is unset", async () => {
    const app = await cable({ TWILIO_ACCOUNT_SID: ACCOUNT_SID, ANYCABLE_SECRET: BRIDGE_SECRET });
    expect((await app.connect({ headers: twilioHeaders() })).status).toBe("success");
    const other = await cable({ TWILIO_ACCOUNT_SID: ACCOUNT_SID, ANYCABLE_SECRET: "x".repeat(20), TWILIO_BRIDGE_SECRET: BRIDGE_SECRET });
    expect((await other.connect({ headers: twilioHeaders() })).status).toBe("success");
  });

  it("treats an empty TWILIO_ACCOUNT_SID as unset", async () => {
    const app = await cable({ TWILIO_ACCOUNT_SID: "", TWILIO_BRIDGE_SECRET: BRIDGE_SECRET });
    expect((await app.connect({ headers: { ...twilioHeaders(), "x-twilio-account": "" } })).status).toBe("failure");
  });

  it("refuses to build the application with a malformed TWILIO_ACCOUNT_SID or a short bridge secret", async () => {
    await expect(cable({ TWILIO_ACCOUNT_SID: "SK123" })).rejects.toThrow(/TWILIO_ACCOUNT_SID: must start with "AC"/);
    await expect(cable({ TWILIO_ACCOUNT_SID: " AC123" })).rejects.toThrow(/TWILIO_ACCOUNT_SID/);
    await expect(cable({ TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_BRIDGE_SECRET: "short" })).rejects.toThrow(/TWILIO_BRIDGE_SECRET/);
  });
});
