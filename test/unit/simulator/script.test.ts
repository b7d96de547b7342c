import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { planDurationMs, planResults, sequentialIds } from "../../../channels/simulator/plan.js";
import { channelIdentifier, generateCallSid, performFrame, subscribeFrame } from "../../../channels/simulator/protocol.js";
import { planFrames } from "../../../channels/simulator/run.js";
import { BUILT_IN_SCRIPT, loadScript, ScriptError, scriptPlan, validateScript } from "../../../channels/simulator/script.js";

const SID = "CA0123456789abcdef0123456789abcdef";
const IDENTIFIER = `{"channel":"twilio","sid":"${SID}"}`;

function writeTemp(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), "sim-script-")), name);
  writeFileSync(path, text);
  return path;
}

describe("the wire frames", () => {
  it("uses exactly the identifier the application expects", () => {
    expect(channelIdentifier(SID)).toBe(IDENTIFIER);
    expect(subscribeFrame(IDENTIFIER)).toBe(`{"command":"subscribe","identifier":${JSON.stringify(IDENTIFIER)}}`);
  });

  it("wraps a result in a handle_message perform, data as a JSON string", () => {
    const frame = performFrame(IDENTIFIER, { id: "u1", text: 'say "hi"', final: true, event: "transcript" });
    expect(frame).toBe(
      `{"command":"message","identifier":${JSON.stringify(IDENTIFIER)},"data":${JSON.stringify(
        '{"action":"handle_message","result":{"id":"u1","text":"say \\"hi\\"","final":true,"event":"transcript"}}',
      )}}`,
    );
  });

  it("generates call SIDs of the Twilio shape", () => {
    const sids = new Set(Array.from({ length: 20 }, generateCallSid));
    expect(sids.size).toBe(20);
    for (const sid of sids) expect(sid).toMatch(/^CA[0-9a-f]{32}$/);
  });
});

describe("script validation", () => {
  it("accepts the built-in script and fills in the pacing defaults", () => {
    const script = validateScript(BUILT_IN_SCRIPT);
    expect(script).toMatchObject({ wordMs: 300, pauseMs: 1200, hangupAfterMs: 1000 });
    expect(script.steps.length).toBeGreaterThanOrEqual(3);
  });

  it("names the offending step", () => {
    expect(() => validateScript({ steps: ["fine", { say: "" }] })).toThrow(/steps\[1\]/);
    expect(() => validateScript({ steps: [{ shout: "hey" }] })).toThrow(/steps\[0\]: expected a phrase string/);
    expect(() => validateScript({ steps: [] })).toThrow(/at least one step/);
    expect(() => validateScript({ steps: ["a"], wordMs: -1 })).toThrow(/wordMs/);
    expect(() => validateScript({ steps: ["a"], sid: "CA-nope" })).toThrow(/sid: expected a call SID/);
    expect(() => validateScript({ steps: ["a"], speed: 3 })).toThrow(ScriptError);
  });

  it("loads YAML and JSON files and reports unreadable ones", async () => {
    const yml = writeTemp("call.yml", "wordMs: 10\nsteps:\n  - hello there\n  - error: boom\n");
    expect((await loadScript(yml)).steps).toEqual(["hello there", { error: "boom" }]);
    const json = writeTemp("call.json", JSON.stringify({ steps: [{ say: "hi", partials: false }] }));
    expect((await loadScript(json)).steps).toEqual([{ say: "hi", partials: false }]);
    await expect(loadScript(writeTemp("bad.json", "{nope"))).rejects.toThrow(/cannot parse script/);
    await expect(loadScript("/nonexistent/call.yml")).rejects.toThrow(/cannot read script \/nonexistent\/call.yml: ENOENT/);
    await expect(loadScript(writeTemp("bad.yml", "steps: 3\n"))).rejects.toThrow(/invalid script .*bad.yml:\nsteps:/);
  });

  it("accepts the documented example script", async () => {
    const script = await loadScript(new URL("../../../channels/simulator/scripts/example.yml", import.meta.url).pathname);
    expect(
      planResults(scriptPlan(script, { callSid: SID, accountSid: "AC1", newId: sequentialIds() })).some((r) => r.event === "error"),
    ).toBe(true);
  });
});

describe("scripted plans", () => {
  const script = validateScript({
    wordMs: 100,
    pauseMs: 500,
    hangupAfterMs: 200,
    steps: ["Hello there world", { error: "recognizer timed out" }, { pauseMs: 50 }, { say: "Bye now", partials: false }, "ok"],
  });

  it("sends growing partials under one id, then the final; a new id per phrase", () => {
    const plan = scriptPlan(script, { callSid: SID, accountSid: "AC1", newId: sequentialIds() });
    expect(planResults(plan)).toEqual([
      { id: "utt-1", text: "Hello", final: false, event: "transcript" },
      { id: "utt-1", text: "Hello there", final: false, event: "transcript" },
      { id: "utt-1", text: "Hello there world", final: true, event: "transcript" },
      { id: "", text: "recognizer timed out", final: false, event: "error" },
      { id: "utt-2", text: "Bye now", final: true, event: "transcript" },
      { id: "utt-3", text: "ok", final: true, event: "transcript" },
    ]);
  });

  it("paces words and pauses, and --pace-ms overrides the word pace", () => {
    const plan = scriptPlan(script, { callSid: SID, accountSid: "AC1", newId: sequentialIds() });
    // pauses 500*4 + 50, words 3 + 1 + 1, hang-up 200
    expect(planDurationMs(plan)).toBe(2000 + 50 + 500 + 200);
    expect(plan.steps.slice(0, 2)).toEqual([
      { kind: "wait", ms: 600 },
      { kind: "result", result: expect.objectContaining({ text: "Hello" }) },
    ]);
    const fast = scriptPlan(script, { callSid: SID, accountSid: "AC1", newId: sequentialIds(), paceMs: 10 });
    expect(planDurationMs(fast)).toBe(2000 + 50 + 50 + 200);
  });

  it("renders the frames a dry run prints: subscribe first, then one perform per result", () => {
    const plan = scriptPlan(script, { callSid: SID, accountSid: "AC1", newId: sequentialIds() });
    const frames = planFrames(plan).map((f) => JSON.parse(f) as { command: string; identifier: string; data?: string });
    expect(frames[0]).toEqual({ command: "subscribe", identifier: IDENTIFIER });
    expect(frames).toHaveLength(7);
    for (const frame of frames.slice(1)) {
      expect(frame.command).toBe("message");
      expect(frame.identifier).toBe(IDENTIFIER);
      expect(JSON.parse(frame.data!)).toMatchObject({ action: "handle_message" });
    }
  });
});
