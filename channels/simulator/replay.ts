// Replaying a recorded media stream: the recording's own timing, with the recogniser's
// results released at the moment the audio they describe has been "heard".
import { FRAME_MS } from "../media-stream/frames.js";
import type { Recording } from "../media-stream/recording.js";
import { pushWait, type CallPlan, type IdGenerator, type PlanStep } from "./plan.js";
import { recognitionError, transcript, type TranscriptResult } from "./protocol.js";
import type { Utterance } from "../speech/pocketsphinx/batch.js";

export interface ScheduledResult {
  /** Released once this many inbound frames have been played. */
  afterFrame: number;
  result: TranscriptResult;
}

/** How many 20 ms inbound frames cover audio up to `seconds`. */
function framesUntil(seconds: number): number {
  return Math.max(1, Math.ceil((seconds * 1000) / FRAME_MS - 1e-9));
}

/**
 * Partials are derived from pocketsphinx's word timings, not from intermediate hypotheses
 * (the batch CLI prints none): when the replay has played the inbound frame in which a word
 * ends, the utterance's words so far go out as a partial. The final, with every word, follows
 * at the utterance's end as the recogniser's voice activity detector saw it (trailing silence
 * included). Partials due at the same frame collapse into the longest one, and a partial due
 * together with the final is left out: the final says the same and more.
 * Utterances with no words (pure noise) produce nothing.
 */
export function scheduleUtterances(utterances: readonly Utterance[], newId: IdGenerator): ScheduledResult[] {
  const scheduled: ScheduledResult[] = [];
  for (const utterance of utterances) {
    if (utterance.words.length === 0) continue;
    const id = newId();
    const text = utterance.words.map((w) => w.word);
    const lastWordEnd = utterance.words.at(-1)!.end;
    const finalFrame = framesUntil(Math.max(utterance.end, lastWordEnd));
    const partials: ScheduledResult[] = [];
    utterance.words.forEach((word, i) => {
      const afterFrame = framesUntil(word.end);
      if (afterFrame >= finalFrame) return;
      const result = transcript(id, text.slice(0, i + 1).join(" "), false);
      if (partials.at(-1)?.afterFrame === afterFrame) partials[partials.length - 1] = { afterFrame, result };
      else partials.push({ afterFrame, result });
    });
    scheduled.push(...partials, { afterFrame: finalFrame, result: transcript(id, text.join(" "), true) });
  }
  // Stable: results of one utterance keep their order when times tie with the next one.
  return scheduled
    .map((s, i) => [s, i] as const)
    .sort((a, b) => a[0].afterFrame - b[0].afterFrame || a[1] - b[1])
    .map(([s]) => s);
}

/** A recognition failure is reported as soon as audio starts flowing, like a streaming recogniser would. */
export function scheduleFailure(message: string): ScheduledResult[] {
  return [{ afterFrame: 1, result: recognitionError(message) }];
}

export interface ReplayPlanOptions {
  /** Overrides the recording's CallSid (the --sid flag). */
  callSid?: string | undefined;
  source: string;
}

/**
 * Walks the recording from its `start` frame (where the original media-stream server
 * connected and subscribed) to its `stop` frame (where it hung up), keeping every sleep and
 * releasing the scheduled results as inbound frames go by. Results still due at `stop` are
 * sent before hanging up, as a recogniser flushes on end of stream.
 */
export function replayPlan(recording: Recording, scheduled: readonly ScheduledResult[], options: ReplayPlanOptions): CallPlan {
  const steps: PlanStep[] = [];
  const queue = [...scheduled];
  let started = false;
  let inboundFrames = 0;
  const release = () => {
    while (queue.length > 0 && queue[0]!.afterFrame <= inboundFrames) steps.push({ kind: "result", result: queue.shift()!.result });
  };
  for (const step of recording.steps) {
    if (step.kind === "send" && step.frame.event === "start") started = true;
    if (!started) continue;
    if (step.kind === "sleep") {
      pushWait(steps, step.seconds * 1000);
      continue;
    }
    const frame = step.frame;
    if (frame.event === "stop") break;
    if (frame.event === "media" && frame.media.track === "inbound") {
      inboundFrames++;
      release();
    }
  }
  for (const rest of queue) steps.push({ kind: "result", result: rest.result });
  return { callSid: options.callSid ?? recording.callSid, accountSid: recording.accountSid, source: options.source, steps };
}
