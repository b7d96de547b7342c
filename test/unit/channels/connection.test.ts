import { describe, expect, it } from "vitest";
import { Status } from "../../../src/rpc/messages.js";
import { UNAUTHORIZED_DISCONNECT } from "../../../src/rpc/mapping/responses.js";
import { ACCOUNT_SID, callMonitorRpc } from "./support/call-monitor-rpc.js";

describe("call monitor connection", () => {
  it("accepts a media stream whose x-twilio-account matches TWILIO_ACCOUNT_SID exactly", async () => {
    const rpc = callMonitorRpc();
    const response = await rpc.connect({ "x-twilio-account": ACCOUNT_SID }, "s1");
    expect(response.status).toBe(Status.SUCCESS);
    expect(JSON.parse(response.identifiers)).toEqual({ role: "twilio" });
    expect(response.transmissions).toEqual([JSON.stringify({ type: "welcome", sid: "s1" })]);
  });

  it("accepts a browser (no header) as a viewer", async () => {
    const rpc = callMonitorRpc();
    const response = await rpc.connect({ cookie: "a=b" });
    expect(response.status).toBe(Status.SUCCESS);
    expect(JSON.parse(response.identifiers)).toEqual({ role: "viewer" });
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

  it.each(nearMisses)("refuses %s with the unauthorized disconnect", async (_label, claimed) => {
    const rpc = callMonitorRpc();
    const response = await rpc.connect({ "x-twilio-account": claimed });
    expect(response.status).toBe(Status.FAILURE);
    expect(response.identifiers).toBe("");
    expect(response.transmissions).toEqual([UNAUTHORIZED_DISCONNECT]);
    expect(JSON.stringify(rpc.logs)).not.toContain(ACCOUNT_SID.slice(2, 20));
  });

  it("refuses every media stream when TWILIO_ACCOUNT_SID is unset, and says why", async () => {
    const rpc = callMonitorRpc({});
    const response = await rpc.connect({ "x-twilio-account": ACCOUNT_SID });
    expect(response.status).toBe(Status.FAILURE);
    expect(response.transmissions).toEqual([UNAUTHORIZED_DISCONNECT]);
    expect(rpc.logs.map((l) => l.msg)).toContainEqual(expect.stringMatching(/TWILIO_ACCOUNT_SID is not set/));
    // Browsers still get in: the dashboard works without Twilio.
    expect((await rpc.connect({})).status).toBe(Status.SUCCESS);
  });

  it("treats an empty TWILIO_ACCOUNT_SID as unset", async () => {
    const rpc = callMonitorRpc({ TWILIO_ACCOUNT_SID: "" });
    expect((await rpc.connect({ "x-twilio-account": "" })).status).toBe(Status.FAILURE);
  });

  it("refuses to build the application with a malformed TWILIO_ACCOUNT_SID", () => {
    expect(() => callMonitorRpc({ TWILIO_ACCOUNT_SID: "SK123" })).toThrow(/TWILIO_ACCOUNT_SID: must start with "AC"/);
    expect(() => callMonitorRpc({ TWILIO_ACCOUNT_SID: " AC123" })).toThrow(/TWILIO_ACCOUNT_SID/);
  });
});
