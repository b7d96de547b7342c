import { describe, expect, it } from "vitest";
import { PhraseIds, errorResult, randomPhraseId } from "../../../../channels/speech/results.js";

function counter(): () => string {
  let n = 0;
  return () => `p${++n}`;
}

describe("phrase ids", () => {
  it("shares one id between a phrase's partials and its final, then starts a fresh one", () => {
    const ids = new PhraseIds(counter());
    expect(ids.transcript("hello", false)).toEqual({ id: "p1", text: "hello", final: false, event: "transcript" });
    expect(ids.transcript("hello world", false).id).toBe("p1");
    expect(ids.transcript("hello world", true)).toEqual({ id: "p1", text: "hello world", final: true, event: "transcript" });
    expect(ids.transcript("america", false).id).toBe("p2");
    expect(ids.transcript("america", true).id).toBe("p2");
    expect(ids.transcript("again", true).id).toBe("p3");
  });

  it("abandons a phrase cut by a failure: what follows is a new phrase", () => {
    const ids = new PhraseIds(counter());
    expect(ids.transcript("half a", false).id).toBe("p1");
    ids.restart();
    expect(ids.transcript("sentence", false).id).toBe("p2");
  });

  it("uses random, unguessable ids by default", () => {
    const ids = new PhraseIds();
    const first = ids.transcript("a", true).id;
    const second = ids.transcript("b", true).id;
    expect(first).toMatch(/^[0-9a-f]{16}$/);
    expect(second).toMatch(/^[0-9a-f]{16}$/);
    expect(second).not.toBe(first);
    expect(new Set(Array.from({ length: 100 }, randomPhraseId)).size).toBe(100);
  });
});

describe("error results", () => {
  it("carry the message with an empty id, never final", () => {
    expect(errorResult("vosk: UNAVAILABLE")).toEqual({ id: "", text: "vosk: UNAVAILABLE", final: false, event: "error" });
  });
});
