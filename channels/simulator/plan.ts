// A call plan: what the simulator will do once subscribed, independent of where it came from
// (a script or a recording) and of how it is carried out (live or --dry-run).
import type { TranscriptResult } from "./protocol.js";

export type PlanStep = { kind: "wait"; ms: number } | { kind: "result"; result: TranscriptResult };

export interface CallPlan {
  callSid: string;
  accountSid: string;
  /** Human-readable origin for logs, e.g. "built-in script" or a file path. */
  source: string;
  /** Waits are in real-call milliseconds; the runner divides them by the speed factor. */
  steps: PlanStep[];
}

/** Generates the id of each new utterance. */
export type IdGenerator = () => string;

/** Ids like "utt-1", "utt-2": predictable output for tests and dry runs. */
export function sequentialIds(prefix = "utt-"): IdGenerator {
  let n = 0;
  return () => `${prefix}${++n}`;
}

/** Appends a wait, merging it into a preceding one: only the gaps between results matter. */
export function pushWait(steps: PlanStep[], ms: number): void {
  if (!(ms > 0)) return;
  const last = steps.at(-1);
  if (last?.kind === "wait") last.ms += ms;
  else steps.push({ kind: "wait", ms });
}

export function planResults(plan: CallPlan): TranscriptResult[] {
  return plan.steps.flatMap((step) => (step.kind === "result" ? [step.result] : []));
}

export function planDurationMs(plan: CallPlan): number {
  return plan.steps.reduce((sum, step) => sum + (step.kind === "wait" ? step.ms : 0), 0);
}
