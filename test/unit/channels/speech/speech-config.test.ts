import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../../src/index.js";
import { loadSpeechConfig } from "../../../../channels/speech/speech-config.js";

describe("speech recognition configuration", () => {
  it("defaults to pocketsphinx on PATH", () => {
    expect(loadSpeechConfig({})).toEqual({ recognizer: "pocketsphinx", pocketsphinx: undefined, sox: undefined });
    expect(loadSpeechConfig({ SPEECH_RECOGNIZER: "" })).toMatchObject({ recognizer: "pocketsphinx" });
    expect(loadSpeechConfig({ SPEECH_RECOGNIZER: "pocketsphinx", POCKETSPHINX_BIN: "/opt/ps", SOX_BIN: " " })).toEqual({
      recognizer: "pocketsphinx",
      pocketsphinx: "/opt/ps",
      sox: undefined,
    });
  });

  it("takes Vosk with its host, vosk-server's default port otherwise", () => {
    expect(loadSpeechConfig({ SPEECH_RECOGNIZER: "vosk" })).toEqual({ recognizer: "vosk", voskHost: "localhost:5001" });
    expect(loadSpeechConfig({ SPEECH_RECOGNIZER: " Vosk ", VOSK_RPC_HOST: "vosk.internal:5002" })).toEqual({
      recognizer: "vosk",
      voskHost: "vosk.internal:5002",
    });
    expect(loadSpeechConfig({ SPEECH_RECOGNIZER: "vosk", VOSK_RPC_HOST: "[::1]:5001" })).toMatchObject({ voskHost: "[::1]:5001" });
  });

  it.each([
    [{ SPEECH_RECOGNIZER: "whisper" }, /SPEECH_RECOGNIZER: must be one of: pocketsphinx, vosk/],
    [{ SPEECH_RECOGNIZER: "vosk", VOSK_RPC_HOST: "vosk.internal" }, /VOSK_RPC_HOST: must be "host:port"/],
    [{ SPEECH_RECOGNIZER: "vosk", VOSK_RPC_HOST: "http://vosk:5001" }, /VOSK_RPC_HOST/],
    [{ SPEECH_RECOGNIZER: "vosk", VOSK_RPC_HOST: "vosk:70000" }, /port from 1 to 65535/],
  ])("refuses %j with the variable's name", (env, message) => {
    expect(() => loadSpeechConfig(env)).toThrow(ConfigError);
    expect(() => loadSpeechConfig(env)).toThrow(message);
  });
});
