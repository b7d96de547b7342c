import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseRecording } from "../../../channels/media-stream/recording.js";
import { recordingPath } from "../../../channels/recordings/repository-recordings.js";
import { planResults, sequentialIds } from "../../../channels/simulator/plan.js";
import type { Utterance } from "../../../channels/speech/pocketsphinx/output.js";
import { replayPlan, scheduleFailure, scheduleUtterances } from "../../../channels/simulator/replay.js";

const word = (w: string, start: number, end: number) => ({ word: w, start, end, confidence: 1 });

describe("scheduling recognised words as partial and final results", () => {
  const utterances: Utterance[] = [
    {
      hypothesis: "hello big world",
      words: [word("hello", 0.1, 0.49), word("big", 0.49, 0.5), word("world", 0.6, 1.0)],
      start: 0,
      end: 1.4,
    },
    { hypothesis: "", words: [], start: 2, end: 2.5 },
    { hypothesis: "bye", words: [word("bye", 3.0, 3.3)], start: 2.9, end: 3.3 },
  ];

  it("releases growing prefixes as each word ends, the final at the utterance end, one id each", () => {
    const scheduled = scheduleUtterances(utterances, sequentialIds());
    expect(scheduled).toEqual([
      // "big" ends in the same 20 ms frame as "hello" (the 25th): one partial with both
      { afterFrame: 25, result: { id: "utt-1", text: "hello big", final: false, event: "transcript" } },
      { afterFrame: 50, result: { id: "utt-1", text: "hello big world", final: false, event: "transcript" } },
      { afterFrame: 70, result: { id: "utt-1", text: "hello big world", final: true, event: "transcript" } },
      // a partial due with its final is left out
      { afterFrame: 165, result: { id: "utt-2", text: "bye", final: true, event: "transcript" } },
    ]);
  });

  it("reports a recogniser failure as an error result when audio starts", () => {
    expect(scheduleFailure("pocketsphinx exploded")).toEqual([
      { afterFrame: 1, result: { id: "", text: "pocketsphinx exploded", final: false, event: "error" } },
    ]);
  });
});

describe("replay plans", () => {
  const recording = parseRecording(readFileSync(recordingPath("hello-world"), "utf8"), { ACCOUNT_SID: "ACx" });
  // What pocketsphinx reports for hello-world.yml's inbound track, times rounded.
  const heard: Utterance[] = [
    { hypothesis: "hello world", words: [word("hello", 0.55, 0.9), word("world", 0.91, 1.3)], start: 0.5, end: 1.5 },
    { hypothesis: "america", words: [word("america", 2.6, 3.2)], start: 2.5, end: 3.4 },
  ];

  it("keeps the recording's time between results and hangs up at stop", () => {
    const scheduled = scheduleUtterances(heard, sequentialIds());
    const plan = replayPlan(recording, scheduled, { source: "hello-world.yml" });
    expect(plan).toMatchObject({ callSid: recording.callSid, accountSid: "ACx" });
    expect(planResults(plan)).toEqual(scheduled.map((s) => s.result));
    expect(
      planResults(plan)
        .filter((r) => r.final)
        .map((r) => r.text),
    ).toEqual(["hello world", "america"]);
    // the first partial ("hello", ending at 0.90 s) waits for 45 inbound frames of recorded time
    const firstWait = plan.steps[0]!;
    expect(firstWait.kind).toBe("wait");
    expect(firstWait.kind === "wait" && firstWait.ms).toBeGreaterThan(800);
    expect(plan.steps[1]).toEqual({ kind: "result", result: { id: "utt-1", text: "hello", final: false, event: "transcript" } });
    // nothing is waited for after the stop frame
    const total = plan.steps.reduce((t, s) => t + (s.kind === "wait" ? s.ms : 0), 0);
    expect(total).toBeLessThanOrEqual(recording.durationSeconds * 1000);
    expect(total).toBeGreaterThan(3000);
  });

  it("flushes results due after the last frame before hanging up, and honours --sid", () => {
    const late = [{ afterFrame: 10_000, result: { id: "x", text: "late", final: true, event: "transcript" as const } }];
    const plan = replayPlan(recording, late, { source: "hello-world.yml", callSid: "CA0123456789abcdef0123456789abcdef" });
    expect(plan.callSid).toBe("CA0123456789abcdef0123456789abcdef");
    expect(plan.steps.at(-1)).toEqual({ kind: "result", result: late[0]!.result });
  });
});
