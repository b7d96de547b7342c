import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parsePocketsphinxOutput, utteranceText } from "../../../../channels/speech/pocketsphinx/output.js";

// Captured from Debian 12's pocketsphinx_continuous -time yes -remove_noise no on london.yml's inbound track.
const captured = readFileSync(new URL("./pocketsphinx-london.txt", import.meta.url), "utf8");

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
