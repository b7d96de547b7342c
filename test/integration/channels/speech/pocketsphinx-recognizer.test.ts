// The offline recognizer with the real Debian pocketsphinx: an espeak-ng sentence from the
// repository's recordings, recognised while the audio streams in; failures and a stuck decoder.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createRecognizer } from "../../../../channels/speech/create-recognizer.js";
import { PocketsphinxRecognizer } from "../../../../channels/speech/pocketsphinx/streaming-recognizer.js";
import type { SpeechResult } from "../../../../channels/speech/recognizer.js";
import { ConfigError, silentLogger } from "../../../../src/index.js";
import { captureLogger } from "../../../support/capture-logger.js";
import { waitFor } from "../../../support/wait.js";
import { recordingPcm, writeFrames } from "./call-audio.js";

const logger = silentLogger();
const work = mkdtempSync(join(tmpdir(), "speech-ps-test-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function script(name: string, body: string): string {
  const path = join(work, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

describe("streaming pocketsphinx", () => {
  it("recognises a phrase as soon as the caller pauses, before the call ends, then the rest at the end", async () => {
    const recognizer = createRecognizer({ PATH: process.env.PATH }, logger);
    expect(recognizer.name).toBe("pocketsphinx");
    const results: SpeechResult[] = [];
    const stream = recognizer.start({ callSid: "CA1", onResult: (r) => results.push(r) });
    // "hello world", then the pause after it: pocketsphinx's own detector closes the utterance
    const helloWorld = recordingPcm("hello-world");
    writeFrames(stream, helloWorld.subarray(0, 8000 * 2.4));
    await waitFor(() => results.length > 0, { timeoutMs: 30_000, description: "the first phrase's result" });
    writeFrames(stream, helloWorld.subarray(8000 * 2.4));
    await stream.end(30_000);

    expect(results.every((r) => r.event === "transcript" && r.final)).toBe(true);
    const words = results.flatMap((r) => r.text.split(" "));
    // pocketsphinx's en-us model over a phone band: at least one word of each sentence is right
    expect(words).toContain("world");
    expect(words).toContain("america");
    expect(new Set(results.map((r) => r.id)).size).toBe(results.length);
    await recognizer.close();
  });

  it("hears nothing in silence, and delivers nothing after end()", async () => {
    const recognizer = new PocketsphinxRecognizer({ logger });
    const results: SpeechResult[] = [];
    const stream = recognizer.start({ callSid: "CA4", onResult: (r) => results.push(r) });
    writeFrames(stream, new Int16Array(8000 * 2));
    await stream.end(30_000);
    stream.write(recordingPcm("hello-world"));
    await stream.end(1000);
    expect(results).toEqual([]);
    await recognizer.close();
  });

  it("reports a crashed decoder as an error result; the call goes on and a fresh decoder recognises", async () => {
    const marker = join(work, "crashed-once");
    const flaky = script(
      "flaky-pocketsphinx",
      `if [ ! -e '${marker}' ]; then touch '${marker}'; echo "ERROR: simulated crash" >&2; exit 3; fi\nexec pocketsphinx_continuous "$@"`,
    );
    const recognizer = new PocketsphinxRecognizer({ logger, pocketsphinx: flaky, retryMs: 0 });
    const results: SpeechResult[] = [];
    const stream = recognizer.start({ callSid: "CA2", onResult: (r) => results.push(r) });
    await waitFor(() => results.length > 0, { timeoutMs: 30_000, description: "the error result" });
    expect(results).toEqual([
      { id: "", text: "pocketsphinx: decoder exited with 3: ERROR: simulated crash", final: false, event: "error" },
    ]);
    writeFrames(stream, recordingPcm("hello-world"));
    await stream.end(30_000);
    expect(results.slice(1).flatMap((r) => r.text.split(" "))).toContain("world");
    await recognizer.close();
  });

  it("never blocks the writer when the decoder stops reading: a bounded backlog, the rest dropped and reported once", async () => {
    const stuck = script("stuck-pocketsphinx", "exec sleep 120");
    const logs = captureLogger();
    const recognizer = new PocketsphinxRecognizer({ logger: logs.logger, pocketsphinx: stuck, maxBufferedMs: 1000 });
    const results: SpeechResult[] = [];
    const stream = recognizer.start({ callSid: "CA3", onResult: (r) => results.push(r) });
    // three minutes of audio: far more than the pipes between Node, sox and the decoder hold
    const second = new Int16Array(8000).map((_, i) => Math.round(8000 * Math.sin(i / 3)));
    for (let n = 0; n < 180; n++) {
      writeFrames(stream, second);
      await new Promise((resolve) => setImmediate(resolve));
    }
    // Reported once per episode, not per frame: while the pipes still take a little now and
    // then, the backlog dips under the bound and a later overflow is a new episode.
    expect(results.length).toBeGreaterThanOrEqual(1);
    expect(results.length).toBeLessThan(10);
    for (const result of results)
      expect(result).toEqual({ id: "", text: "pocketsphinx: recognizer is falling behind, audio dropped", final: false, event: "error" });
    expect(logs.at("warn").filter((l) => l.msg === "speech recognizer is falling behind: dropping audio until it catches up")).toHaveLength(
      results.length,
    );
    await stream.end(300);
    await recognizer.close();
  });

  it("is refused at startup when its programs are missing", () => {
    expect(() => createRecognizer({ PATH: process.env.PATH, POCKETSPHINX_BIN: "/nonexistent/pocketsphinx_continuous" }, logger)).toThrow(
      ConfigError,
    );
    expect(() => createRecognizer({ PATH: "/nonexistent" }, logger)).toThrow(
      /pocketsphinx_continuous not found \(install the Debian packages pocketsphinx and pocketsphinx-en-us, or set POCKETSPHINX_BIN\)/,
    );
    expect(() => createRecognizer({ PATH: process.env.PATH, SOX_BIN: "/nonexistent/sox" }, logger)).toThrow(/\/nonexistent\/sox not found/);
  });
});
