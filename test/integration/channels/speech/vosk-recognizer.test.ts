// The Vosk client against the fake Vosk server, over real gRPC: the protocol, result ids,
// failures, and what happens when the server cannot keep up.
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordingSentences } from "../../../../channels/recordings/repository-recordings.js";
import { createRecognizer } from "../../../../channels/speech/create-recognizer.js";
import { startFakeVosk, type RunningFakeVosk } from "../../../../channels/tools/fake-vosk/fake-vosk-server.js";
import type { SpeechResult } from "../../../../channels/speech/recognizer.js";
import { sttServiceConstructor } from "../../../../channels/speech/vosk/proto.js";
import { VoskRecognizer } from "../../../../channels/speech/vosk/vosk-recognizer.js";
import { silentLogger } from "../../../../src/index.js";
import { captureLogger } from "../../../support/capture-logger.js";
import { waitFor } from "../../../support/wait.js";
import { recordingPcm, withPhraseLetters, writeFrames } from "./call-audio.js";

const logger = silentLogger();
const helloWorld = recordingPcm("hello-world");
const HELLO_WORLD = ["A partial: hello", "A partial: hello world", "A final: hello world", "B partial: america", "B final: america"];

describe("the Vosk client with the fake Vosk server", () => {
  let fake: RunningFakeVosk;
  beforeAll(async () => {
    fake = await startFakeVosk({ phrases: recordingSentences("hello-world"), logger });
  });
  afterAll(() => fake?.close());

  it("transcribes a repository recording exactly: partials word by word, a final per phrase, one id per phrase", async () => {
    const recognizer = createRecognizer({ SPEECH_RECOGNIZER: "vosk", VOSK_RPC_HOST: fake.address }, logger);
    expect(recognizer.name).toBe("vosk");
    const results: SpeechResult[] = [];
    const stream = recognizer.start({ callSid: "CA1", onResult: (r) => results.push(r) });
    writeFrames(stream, helloWorld);
    await stream.end(10_000);
    expect(withPhraseLetters(results)).toEqual(HELLO_WORLD);
    expect(results[0]!.id).toMatch(/^[0-9a-f]{16}$/);
    await recognizer.close();
  });

  it("flushes the last phrase when the audio stops mid-sentence, and nothing arrives after end()", async () => {
    const recognizer = new VoskRecognizer({ host: fake.address, logger });
    const results: SpeechResult[] = [];
    const stream = recognizer.start({ callSid: "CA2", onResult: (r) => results.push(r) });
    // up to the middle of "america" (its audio starts about 2.6 s in)
    writeFrames(stream, helloWorld.subarray(0, 8000 * 2.9));
    await stream.end(10_000);
    expect(withPhraseLetters(results).at(-1)).toBe("B final: america");
    const count = results.length;
    stream.write(helloWorld.subarray(0, 1600));
    await new Promise((resolve) => setImmediate(resolve));
    expect(results).toHaveLength(count);
    await recognizer.close();
  });

  it("keeps twenty simultaneous calls apart on one channel", async () => {
    const recognizer = new VoskRecognizer({ host: fake.address, logger });
    const calls = Array.from({ length: 20 }, (_, i) => {
      const results: SpeechResult[] = [];
      return { results, stream: recognizer.start({ callSid: `CA${i}`, onResult: (r) => results.push(r) }) };
    });
    for (let offset = 0; offset < helloWorld.length; offset += 160) {
      for (const call of calls) call.stream.write(helloWorld.subarray(offset, offset + 160));
    }
    await Promise.all(calls.map((call) => call.stream.end(20_000)));
    for (const call of calls) expect(withPhraseLetters(call.results)).toEqual(HELLO_WORLD);
    const ids = calls.flatMap((call) => [...new Set(call.results.map((r) => r.id))]);
    expect(new Set(ids).size).toBe(40);
    await recognizer.close();
  });

  it("stops delivering at once on close()", async () => {
    const recognizer = new VoskRecognizer({ host: fake.address, logger });
    const results: SpeechResult[] = [];
    const stream = recognizer.start({ callSid: "CA3", onResult: (r) => results.push(r) });
    writeFrames(stream, helloWorld);
    stream.close();
    stream.close();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(results).toEqual([]);
    await stream.end(1000);
    await recognizer.close();
  });
});

describe("Vosk failures", () => {
  it("turn a failed stream into one error result; the call goes on and a fresh stream recognises again", async () => {
    const fake = await startFakeVosk({ phrases: ["hello world", "america"], logger, failAfterUtterances: 1 });
    const recognizer = new VoskRecognizer({ host: fake.address, logger, retryMs: 0 });
    const results: SpeechResult[] = [];
    const stream = recognizer.start({ callSid: "CA4", onResult: (r) => results.push(r) });
    const half = 8000 * 2.2;
    writeFrames(stream, helloWorld.subarray(0, half));
    await waitFor(() => results.some((r) => r.event === "error"), { description: "the error result" });
    writeFrames(stream, helloWorld.subarray(half));
    await stream.end(10_000);
    // the fresh stream starts its phrases over, as a restarted server would
    expect(withPhraseLetters(results)).toEqual([
      "A partial: hello",
      "A partial: hello world",
      "A final: hello world",
      "error: vosk: INTERNAL: fake vosk: injected failure",
      "B partial: hello",
      "B partial: hello world",
      "B final: hello world",
      // and that stream is made to fail after its first phrase too
      "error: vosk: INTERNAL: fake vosk: injected failure",
    ]);
    expect(fake.stats.streams).toBe(2);
    await recognizer.close();
    await fake.close();
  });

  it("survive the server going away and coming back on the same address", async () => {
    const first = await startFakeVosk({ phrases: ["hello world", "america"], logger });
    const logs = captureLogger();
    const recognizer = new VoskRecognizer({ host: first.address, logger: logs.logger, retryMs: 0 });
    const results: SpeechResult[] = [];
    const stream = recognizer.start({ callSid: "CA5", onResult: (r) => results.push(r) });
    writeFrames(stream, helloWorld.subarray(0, 1600));
    await waitFor(() => first.stats.streams === 1, { description: "the stream to open" });
    await first.close();
    await waitFor(() => results.some((r) => r.event === "error"), { description: "the error result" });
    expect(results.filter((r) => r.event === "error")).toHaveLength(1);
    expect(results[0]!.text).toMatch(/^vosk: (UNAVAILABLE|CANCELLED|INTERNAL)/);
    expect(logs.at("warn").map((l) => l.msg)).toContain("vosk: stream failed");

    const second = await startFakeVosk({ phrases: ["hello world", "america"], logger, listen: first.address });
    writeFrames(stream, helloWorld);
    await stream.end(10_000);
    expect(withPhraseLetters(results.filter((r) => r.event === "transcript")).filter((r) => r.includes("final"))).toEqual([
      "A final: hello world",
      "B final: america",
    ]);
    await recognizer.close();
    await second.close();
  });

  it("never block the writer: a stalled server gets a bounded backlog and the rest is dropped, reported once", async () => {
    const fake = await startFakeVosk({ phrases: ["x"], logger, stallAfterConfig: true });
    const logs = captureLogger();
    const recognizer = new VoskRecognizer({ host: fake.address, logger: logs.logger, maxBufferedMs: 1000 });
    const results: SpeechResult[] = [];
    const stream = recognizer.start({ callSid: "CA6", onResult: (r) => results.push(r) });
    stream.write(new Int16Array(160));
    await waitFor(() => fake.stats.streams === 1, { description: "the stream to open" });
    // three minutes of audio (2.9 MB): beyond what HTTP/2's flow-control windows and socket
    // buffers hold (about 1 MB here) plus the 1 s backlog
    const second = new Int16Array(8000).map((_, i) => Math.round(8000 * Math.sin(i / 3)));
    for (let n = 0; n < 180; n++) {
      writeFrames(stream, second);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(results).toEqual([{ id: "", text: "vosk: recognizer is falling behind, audio dropped", final: false, event: "error" }]);
    expect(logs.at("warn").map((l) => l.msg)).toEqual(["speech recognizer is falling behind: dropping audio until it catches up"]);
    // end() gives up after its bound instead of waiting for a server that never answers
    await stream.end(300);
    await recognizer.close();
    await fake.close();
  });
});

describe("the fake Vosk server", () => {
  it("refuses a stream that does not start with a config it understands", async () => {
    const fake = await startFakeVosk({ phrases: ["x"], logger });
    const Client = sttServiceConstructor();
    const client = new Client(fake.address, grpc.credentials.createInsecure());
    const failure = (first: object) =>
      new Promise<grpc.ServiceError>((resolve) => {
        const call = (client as unknown as { StreamingRecognize: () => grpc.ClientDuplexStream<object, unknown> }).StreamingRecognize();
        call.on("error", resolve);
        call.on("data", () => {});
        call.write(first);
      });
    const audioFirst = await failure({ audio_content: Buffer.alloc(320) });
    expect(audioFirst).toMatchObject({ code: grpc.status.INVALID_ARGUMENT, details: "the first message must be the config" });
    const wideband = await failure({ config: { specification: { audio_encoding: "LINEAR16_PCM", sample_rate_hertz: 16000 } } });
    expect(wideband.details).toMatch(/only takes 8000 Hz audio, got 16000/);
    const noEncoding = await failure({ config: { specification: { sample_rate_hertz: 8000 } } });
    expect(noEncoding.details).toMatch(/unsupported audio_encoding AUDIO_ENCODING_UNSPECIFIED/);
    client.close();
    await fake.close();
  });
});
