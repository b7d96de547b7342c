import { existsSync } from "node:fs";
import { basename } from "node:path";
import { describe, expect, it } from "vitest";
import {
  allRecordingSentences,
  recordingPath,
  recordingSentences,
  repositoryRecordings,
} from "../../../../channels/recordings/repository-recordings.js";

describe("the repository's recordings", () => {
  it("names each recording's sentences as recordings.json writes them", () => {
    // Literals, not read back through the reader under test.
    expect(recordingSentences("hello-world")).toEqual(["hello world", "america"]);
    expect(recordingSentences("call-back")).toEqual(["please call me back", "thank you goodbye"]);
    expect(repositoryRecordings()["call-back"]?.outbound).toEqual(["leave a message"]);
    expect(allRecordingSentences()).toEqual(["hello world", "america", "please call me back", "thank you goodbye"]);
  });

  it("finds each recording's committed .yml beside the manifest", () => {
    for (const name of Object.keys(repositoryRecordings())) {
      const path = recordingPath(name);
      expect(basename(path)).toBe(`${name}.yml`);
      expect(existsSync(path)).toBe(true);
    }
  });

  it("refuses an unknown recording, and a name that would leave the folder, saying which ones exist", () => {
    expect(() => recordingSentences("goodbye")).toThrow('no repository recording "goodbye" (known: hello-world, call-back)');
    expect(() => recordingPath("../../package")).toThrow(/no repository recording "\.\.\/\.\.\/package"/);
    // A name inherited from Object.prototype is not a recording either.
    expect(() => recordingSentences("constructor")).toThrow(/no repository recording "constructor"/);
  });
});
