// Twenty calls at once through one bridge and one anycable-go: each on its own cable connection,
// every result delivered in order to its own call, nothing crossing over.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BRIDGE_ACCOUNT_SID, startBridgeStack, type BridgeStack } from "../../support/bridge-stack.js";
import { RecordingRecognizer } from "../../support/recording-recognizer.js";
import { syntheticRecording } from "../../support/synthetic-recording.js";
import { ToneRecognizer } from "../../support/tone-recognizer.js";
import { waitFor } from "../../support/wait.js";

const CALLS = 20;
const sid = (n: number) => `CA${(0xe000 + n).toString(16).padStart(32, "0")}`;

let stack: BridgeStack;
let recognizer: RecordingRecognizer;

beforeAll(async () => {
  recognizer = new RecordingRecognizer(new ToneRecognizer());
  stack = await startBridgeStack({ recognizer });
}, 60_000);
afterAll(async () => {
  await stack?.stop();
});

describe(`${CALLS} simultaneous calls`, () => {
  it("deliver every result, in order, to the right call, on one cable connection each", async () => {
    const sids = Array.from({ length: CALLS }, (_, i) => sid(i));
    // Different lengths, so calls interleave and end at different times.
    const outcomes = await Promise.all(
      sids.map((callSid, i) =>
        stack.call(syntheticRecording({ callSid, accountSid: BRIDGE_ACCOUNT_SID, utterances: 2 + (i % 3), toneMs: 400, silenceMs: 400 }), {
          speed: 1,
        }),
      ),
    );
    expect(outcomes.every((o) => o.completed && o.closeCode === 1000)).toBe(true);
    await waitFor(() => sids.every((callSid) => stack.rpcCallsOf(callSid).some((c) => c.rpc === "disconnect")), {
      timeoutMs: 20_000,
      description: "every call's Disconnect",
    });

    const sessions = new Set<string>();
    for (const [i, callSid] of sids.entries()) {
      const calls = stack.rpcCallsOf(callSid);
      const session = calls[0]!.session;
      sessions.add(session);
      expect(calls.every((c) => c.session === session)).toBe(true);
      const performed = calls.flatMap((c) => (c.rpc === "command" && c.command === "message" ? [JSON.parse(c.data)] : []));
      expect(performed.filter((d) => d.action === "handle_message").map((d) => d.result)).toEqual(recognizer.resultsOf(callSid));
      expect(performed.every((d) => d.action !== "handle_message" || d.result.id.startsWith(callSid.slice(-6)))).toBe(true);
      expect(
        recognizer
          .resultsOf(callSid)
          .filter((r) => r.final)
          .map((r) => r.text),
      ).toEqual(Array.from({ length: 2 + (i % 3) }, (_, u) => `utterance ${u + 1}`));
      expect(calls.at(-1)).toMatchObject({ rpc: "disconnect", status: 1 });
      const timeline = await stack.registry.events(callSid);
      expect(timeline.filter((e) => e.kind === "transcript").length).toBe(2 + (i % 3));
    }
    expect(sessions.size).toBe(CALLS);
    // Nothing but these calls reached the application.
    const touched = new Set(stack.rpcCalls.map((c) => c.session));
    expect(touched).toEqual(sessions);
    expect(await stack.registry.liveCalls()).toEqual([]);
    expect(stack.bridge.streams).toBe(0);
  }, 60_000);
});
