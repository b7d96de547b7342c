// Scripted calls: phrases the "caller" says, turned into the partial and final recognition
// results a streaming recogniser would report for them.
import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import { z } from "zod";
import { parse as parseYaml } from "yaml";
import { CallSid } from "../media-stream/frames.js";
import { pushWait, type CallPlan, type IdGenerator, type PlanStep } from "./plan.js";
import { recognitionError, transcript } from "./protocol.js";

const Millis = z.number().int().min(0).max(600_000);

const SayStep = z.strictObject({
  say: z.string().trim().min(1, "say needs some words"),
  /** false: only the final result, as if the recogniser had partials turned off. */
  partials: z.boolean().optional(),
  pauseMs: Millis.optional(),
  wordMs: Millis.optional(),
});
const ErrorStep = z.strictObject({ error: z.string().trim().min(1, "error needs a message"), pauseMs: Millis.optional() });
const PauseStep = z.strictObject({ pauseMs: Millis });

export const ScriptStep = z.union([z.string().trim().min(1, "a phrase needs some words"), SayStep, ErrorStep, PauseStep], {
  error: () => 'expected a phrase string, {say: "..."}, {error: "..."} or {pauseMs: N}',
});

export const CallScript = z.strictObject({
  sid: CallSid.optional(),
  /** Time per word: partials grow by one word at this pace. */
  wordMs: Millis.default(300),
  /** Silence before each phrase or error. */
  pauseMs: Millis.default(1200),
  /** Silence after the last result before hanging up. */
  hangupAfterMs: Millis.default(1000),
  steps: z.array(ScriptStep).min(1, "a script needs at least one step"),
});

export type CallScript = z.infer<typeof CallScript>;
export type ScriptInput = z.input<typeof CallScript>;

export class ScriptError extends Error {
  override name = "ScriptError";
}

/** The default call: a customer chasing a late order, long enough to watch on the dashboard. */
export const BUILT_IN_SCRIPT: ScriptInput = {
  steps: [
    "Hi, I'm calling about an order I placed last week.",
    "It was supposed to arrive on Monday but it still hasn't shown up.",
    "The order number is four two seven one nine.",
    "Could someone call me back this afternoon? Thanks, bye.",
  ],
};

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, key) => (typeof key === "number" ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)), "");
}

export function formatIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 8)
    .map((issue) => `${formatPath(issue.path) || "(top level)"}: ${issue.message}`)
    .join("\n");
}

export function validateScript(input: unknown, source = "script"): CallScript {
  const parsed = CallScript.safeParse(input);
  if (!parsed.success) throw new ScriptError(`invalid ${source}:\n${formatIssues(parsed.error)}`);
  return parsed.data;
}

/** Reads a script from a .json, .yml or .yaml file. */
export async function loadScript(path: string): Promise<CallScript> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new ScriptError(`cannot read script ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = extname(path).toLowerCase() === ".json" ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new ScriptError(`cannot parse script ${path}: ${(error as Error).message}`);
  }
  return validateScript(raw, `script ${path}`);
}

export interface ScriptPlanOptions {
  callSid: string;
  accountSid: string;
  newId: IdGenerator;
  /** Overrides the script's wordMs (the --pace-ms flag). */
  paceMs?: number | undefined;
  source?: string;
}

function words(text: string): string[] {
  return text.split(/\s+/).filter(Boolean);
}

/**
 * Turns a script into results: per phrase, one partial per word with the growing prefix
 * (what streaming recognisers report while the caller is still talking), then the final
 * with the whole phrase, all under one id.
 */
export function scriptPlan(script: CallScript, options: ScriptPlanOptions): CallPlan {
  const steps: PlanStep[] = [];
  for (const step of script.steps) {
    const say: z.infer<typeof SayStep> | z.infer<typeof ErrorStep> | z.infer<typeof PauseStep> =
      typeof step === "string" ? { say: step } : step;
    if ("say" in say) {
      const wordMs = options.paceMs ?? say.wordMs ?? script.wordMs;
      const phrase = words(say.say);
      const id = options.newId();
      pushWait(steps, say.pauseMs ?? script.pauseMs);
      if (say.partials !== false) {
        for (let n = 1; n < phrase.length; n++) {
          pushWait(steps, wordMs);
          steps.push({ kind: "result", result: transcript(id, phrase.slice(0, n).join(" "), false) });
        }
      }
      pushWait(steps, wordMs);
      steps.push({ kind: "result", result: transcript(id, phrase.join(" "), true) });
    } else if ("error" in say) {
      pushWait(steps, say.pauseMs ?? script.pauseMs);
      steps.push({ kind: "result", result: recognitionError(say.error) });
    } else {
      pushWait(steps, say.pauseMs);
    }
  }
  pushWait(steps, script.hangupAfterMs);
  return { callSid: options.callSid, accountSid: options.accountSid, source: options.source ?? "script", steps };
}
