// One call through the whole path: Twilio frames -> bridge -> anycable-go -> RPC server.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BRIDGE_ACCOUNT_SID, startBridgeStack, type BridgeStack } from "../../support/bridge-stack.js";
import { syntheticRecording } from "../../support/synthetic-recording.js";
import { ToneRecognizer } from "../../support/tone-recognizer.js";
import { waitFor } from "../../support/wait.js";

const CALL_SID = "CA1111111111111111111111111111111a";
const IDENTIFIER = JSON.stringify({ channel: "twilio", sid: CALL_SID });

let stack: BridgeStack;

beforeAll(async () => {
  stack = await startBridgeStack({ recognizer: new ToneRecognizer() });
}, 60_000);
afterAll(async () => {
  await stack?.stop();
});

describe("a call through the bridge", () => {
  it("gives the application the original RPC sequence: Connect, subscribe, one handle_message per result, Disconnect", async () => {
    const recording = syntheticRecording({ callSid: CALL_SID, accountSid: BRIDGE_ACCOUNT_SID, utterances: 2, withOutbound: true });
    const outcome = await stack.call(recording, { speed: 4 });
    expect(outcome).toMatchObject({ completed: true, closeCode: 1000 });
    await waitFor(() => stack.rpcCallsOf(CALL_SID).some((c) => c.rpc === "disconnect"), { timeoutMs: 10_000, description: "Disconnect" });
    const calls = stack.rpcCallsOf(CALL_SID);
    console.log(JSON.stringify(calls, null, 1));
  });
});
