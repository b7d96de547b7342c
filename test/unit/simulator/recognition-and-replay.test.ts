import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseRecording } from "../../../channels/media-stream/recording.js";
import { recordingPath } from "../../../channels/recordings/repository-recordings.js";
import { planResults, sequentialIds } from "../../../channels/simulator/plan.js";
import { parsePocketsphinxOutput, utteranceText, type Utterance } from "../../../channels/speech/pocketsphinx/output.js";
import { replayPlan, scheduleFailure, scheduleUtterances } from "../../../channels/simulator/replay.js";

// Captured from Debian 12's pocketsphinx_continuous -time yes -remove_noise no on london.yml's inbound track.
const captured = readFileSync(new URL("./fixtures/pocketsphinx-london.txt", import.meta.url), "utf8");

describe("parsing pocketsphinx_continuous output", () => {
  it("splits utterances, drops fillers and pronunciation variants, keeps word times", () => {
    const utterances = parsePocketsphinxOutput(captured);
    expect(utterances.map(utteranceText)).toEqual(["a lot of the capital are you part of", "got a huge equator", ""]);
    expect(utterances.map((u) => u.hypothesis)).toEqual(["a lot of the capital are you part of", "got a huge equator", ""]);
    expect(utterances[0]).toMatchObject({ start: 0, end: 4.76 });
    expect(utterances[1]!.words).toEqual([
      { word: "got", start: 5.29, end: 5.78, confidence: 0.899144 },
      { word: "a", start: 5.79, end: 5.93, confidence: 0.951985 },
      { word: "huge", start: 5.94, end: 6.11, confidence: 0.00604 },
      { word: "equator", start: 6.12, end: 6.55, confidence: 0.020182 },
    ]);
    expect(utterances[2]).toEqual({ hypothesis: "", words: [], start: 7.91, end: 8.57 });
  });

  it("copes with nothing heard, noise words, and segments without a hypothesis line", () => {
    expect(parsePocketsphinxOutput("")).toEqual([]);
    expect(parsePocketsphinxOutput("\n\n")).toEqual([]);
    const noisy = parsePocketsphinxOutput(
      "<s> 0.000 0.100 1.0\n[NOISE] 0.110 0.500 0.9\nhi 0.510 0.800 0.5\n</s> 0.810 1.000 1.0\n<s> 2.000 2.100 1.0\nyes 2.110 2.400 0.7\n</s> 2.410 2.600 1.0\n",
    );
    expect(noisy.map(utteranceText)).toEqual(["hi", "yes"]);
    expect(noisy[1]).toMatchObject({ start: 2, end: 2.6 });
  });
});

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
