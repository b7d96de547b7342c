// Twenty calls at once through one bridge and one anycable-go: each on its own cable connection,
// every result delivered in order to its own call, nothing crossing over.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BRIDGE_ACCOUNT_SID, startBridgeStack, type BridgeStack } from "../../../support/bridge-stack.js";
import { startFakeVoskRecognizer, type FakeVoskRecognizer } from "../../../support/fake-vosk-recognizer.js";
import { syntheticRecording } from "../../../support/synthetic-recording.js";
import { waitFor } from "../../../support/wait.js";

const CALLS = 20;
const sid = (n: number) => `CA${(0xe000 + n).toString(16).padStart(32, "0")}`;

let stack: BridgeStack;
const PHRASES = ["hello world", "america", "please call me back", "thank you goodbye"];
let speech: FakeVoskRecognizer;

beforeAll(async () => {
  speech = await startFakeVoskRecognizer(PHRASES);
  stack = await startBridgeStack({ recognizer: speech.recognizer });
}, 60_000);
afterAll(async () => {
  await stack?.stop();
  await speech?.close();
});

describe(`${CALLS} simultaneous calls`, () => {
  it("deliver every result, in order, to the right call, on one cable connection each", async () => {
    const sids = Array.from({ length: CALLS }, (_, i) => sid(i));
    // Different lengths, so calls interleave and end at different times.
    const outcomes = await Promise.all(
      sids.map((callSid, i) =>
        stack.call(syntheticRecording({ callSid, accountSid: BRIDGE_ACCOUNT_SID, utterances: 2 + (i % 3), toneMs: 500, silenceMs: 600 }), {
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
      expect(performed.filter((d) => d.action === "handle_message").map((d) => d.result)).toEqual(speech.recognizer.resultsOf(callSid));
      const finals = speech.recognizer.resultsOf(callSid).filter((r) => r.final);
      expect(finals.map((r) => r.text)).toEqual(PHRASES.slice(0, 2 + (i % 3)));
      expect(calls.at(-1)).toMatchObject({ rpc: "disconnect", status: 1 });
      const timeline = await stack.registry.events(callSid);
      expect(timeline.filter((e) => e.kind === "transcript").length).toBe(2 + (i % 3));
    }
    expect(sessions.size).toBe(CALLS);
    // Phrase ids are fresh per phrase: no result of one call carries another call's id.
    const idsByCall = sids.map((callSid) => new Set(speech.recognizer.resultsOf(callSid).map((r) => r.id)));
    const allIds = idsByCall.flatMap((ids) => [...ids]);
    expect(new Set(allIds).size).toBe(allIds.length);
    // Nothing but these calls reached the application.
    const touched = new Set(stack.rpcCalls.map((c) => c.session));
    expect(touched).toEqual(sessions);
    expect(await stack.registry.liveCalls()).toEqual([]);
    expect(stack.bridge.streams).toBe(0);
  }, 60_000);
});
