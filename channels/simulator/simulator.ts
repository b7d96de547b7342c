// Building a call plan from the simulator's options: the part of the CLI that decides what
// the call says, separate from sending it.
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { Logger } from "pino";
import { parseRecording, trackAudio, type Recording } from "../media-stream/recording.js";
import type { SimulatorOptions } from "./options.js";
import type { CallPlan, IdGenerator } from "./plan.js";
import { generateCallSid } from "./protocol.js";
import { RecognizerError, recognizeMulaw, utteranceText, type RecognizerOptions, type Utterance } from "../speech/pocketsphinx/batch.js";
import { replayPlan, scheduleFailure, scheduleUtterances } from "./replay.js";
import { BUILT_IN_SCRIPT, loadScript, scriptPlan, validateScript } from "./script.js";

export interface BuildPlanOptions {
  logger: Logger;
  newId?: IdGenerator;
  signal?: AbortSignal | undefined;
  /** Stands in for pocketsphinx in tests of the plumbing around it. */
  recognize?: (audio: Uint8Array, options: RecognizerOptions) => Promise<Utterance[]>;
}

export async function buildPlan(options: SimulatorOptions, build: BuildPlanOptions): Promise<CallPlan> {
  const newId = build.newId ?? randomUUID;
  if (options.mode === "script") {
    const script = options.script === undefined ? validateScript(BUILT_IN_SCRIPT, "built-in script") : await loadScript(options.script);
    return scriptPlan(script, {
      callSid: options.sid ?? script.sid ?? generateCallSid(),
      accountSid: options.account,
      newId,
      paceMs: options.paceMs,
      source: options.script ?? "built-in script",
    });
  }
  const path = options.recording!;
  const recording = parseRecording(await readFile(path, "utf8"), { ACCOUNT_SID: options.account });
  build.logger.info(
    {
      recording: path,
      callSid: recording.callSid,
      accountSid: recording.accountSid,
      inboundFrames: recording.media.inbound.length,
      outboundFrames: recording.media.outbound.length,
      seconds: Number(recording.durationSeconds.toFixed(2)),
    },
    "recording loaded",
  );
  if (recording.accountSid !== options.account) {
    build.logger.warn(
      { recording: recording.accountSid, configured: options.account },
      "the recording names its own account; sending the recording's",
    );
  }
  const scheduled = await transcribe(recording, options, build, newId);
  return replayPlan(recording, scheduled, { callSid: options.sid, source: path });
}

async function transcribe(recording: Recording, options: SimulatorOptions, build: BuildPlanOptions, newId: IdGenerator) {
  const recognize = build.recognize ?? recognizeMulaw;
  // Only the inbound track is the caller; outbound is the robot's own voice.
  const audio = trackAudio(recording, "inbound");
  build.logger.info({ seconds: audio.length / 8000 }, "recognising the inbound track with pocketsphinx");
  try {
    const utterances = await recognize(audio, { pocketsphinx: options.pocketsphinx, sox: options.sox, signal: build.signal });
    for (const u of utterances) {
      build.logger.info(
        { from: u.start, to: u.end, text: utteranceText(u) },
        u.words.length ? "recognised" : "recognised no words in a stretch of sound",
      );
    }
    if (!utterances.some((u) => u.words.length > 0))
      build.logger.warn("the recogniser heard no words in this recording; the call will carry no transcripts");
    return scheduleUtterances(utterances, newId);
  } catch (error) {
    if (!(error instanceof RecognizerError)) throw error;
    build.logger.error({ err: error.message }, "speech recognition failed; the call will report it as an error result");
    return scheduleFailure(`speech recognition failed: ${error.message}`);
  }
}
