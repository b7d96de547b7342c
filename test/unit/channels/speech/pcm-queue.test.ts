import { describe, expect, it } from "vitest";
import { OverflowGuard } from "../../../../channels/speech/overflow-guard.js";
import { PcmQueue } from "../../../../channels/speech/pcm-queue.js";
import type { SpeechResult } from "../../../../channels/speech/recognizer.js";
import { captureLogger } from "../../../support/capture-logger.js";

describe("the PCM queue", () => {
  it("hands samples out in order, in chunks that span pushes", () => {
    const queue = new PcmQueue();
    queue.push(Int16Array.from([1, 2, 3]));
    queue.push(new Int16Array(0));
    queue.push(Int16Array.from([4, 5]));
    expect(queue.length).toBe(5);
    expect([...queue.take(4)]).toEqual([1, 2, 3, 4]);
    expect([...queue.take(4)]).toEqual([5]);
    expect(queue.take(4)).toHaveLength(0);
    queue.push(Int16Array.from([6]));
    queue.clear();
    expect(queue.length).toBe(0);
  });
});

describe("the overflow guard", () => {
  it("admits audio up to the bound, then drops it with one warning and one error result per episode", () => {
    const logs = captureLogger();
    const { logger } = logs;
    const results: SpeechResult[] = [];
    const guard = new OverflowGuard({ maxSamples: 1000, logger, onResult: (r) => results.push(r), recognizer: "vosk" });
    expect(guard.admit(0, 1000)).toBe(true);
    expect(guard.admit(900, 160)).toBe(false);
    expect(guard.admit(900, 160)).toBe(false);
    expect(guard.droppedSamples).toBe(320);
    expect(results).toEqual([{ id: "", text: "vosk: recognizer is falling behind, audio dropped", final: false, event: "error" }]);
    expect(guard.admit(0, 160)).toBe(true);
    expect(guard.admit(1000, 1)).toBe(false);
    expect(results).toHaveLength(2);
    const warnings = logs.at("warn");
    expect(warnings.map((l) => l.msg)).toEqual([
      "speech recognizer is falling behind: dropping audio until it catches up",
      "speech recognizer caught up; audio flows again",
      "speech recognizer is falling behind: dropping audio until it catches up",
    ]);
    expect(warnings[1]).toMatchObject({ droppedMs: 40 });
  });
});
