// Recorded media streams in the YAML step format of the original demo's emulation scenarios:
// a list of `send: {data: <frame>}` and `sleep: {time: <seconds>}` steps, with ERB tags for
// values (the account SID) that differ between environments.
import { z } from "zod";
import { parse as parseYaml } from "yaml";
import { MediaStreamFrame, type MediaFrame, type MediaTrack, type StartFrame } from "./frames.js";

export class RecordingError extends Error {
  override name = "RecordingError";
}

// Steps are told apart by their key first, so a bad frame is reported with its own path
// instead of as "matches neither a send nor a sleep step".
const SendStep = z.strictObject({ send: z.strictObject({ data: z.unknown() }) });
const SleepStep = z.strictObject({ sleep: z.strictObject({ time: z.number().finite().min(0) }) });
const RawSteps = z.array(z.unknown()).min(1, "a recording needs at least one step");

export type RecordingStep = { kind: "send"; frame: MediaStreamFrame } | { kind: "sleep"; seconds: number };

export interface Recording {
  steps: RecordingStep[];
  start: StartFrame["start"];
  callSid: string;
  accountSid: string;
  streamSid: string;
  /** Media frames per track, in recording order. */
  media: Record<MediaTrack, MediaFrame[]>;
  /** Sum of the sleep steps: how long the recording takes to play at its own pace. */
  durationSeconds: number;
}

// `<%= ENV.fetch("NAME", "default") %>`, `<%= ENV.fetch("NAME") %>` or `<%= ENV["NAME"] %>`.
const ERB_TAG = /<%=?[\s\S]*?%>/g;
const ERB_ENV = /^<%=\s*ENV(?:\.fetch\(\s*"([A-Za-z_][A-Za-z0-9_]*)"\s*(?:,\s*"([^"]*)"\s*)?\)|\[\s*"([A-Za-z_][A-Za-z0-9_]*)"\s*\])\s*%>$/;

/**
 * Replaces the ERB environment lookups a recording may contain. Only `ENV` reads are supported:
 * a recording is data, and evaluating arbitrary Ruby is neither possible nor wanted here.
 */
export function substituteErb(text: string, vars: Readonly<Record<string, string | undefined>>): string {
  return text.replace(ERB_TAG, (tag) => {
    const match = ERB_ENV.exec(tag);
    if (!match)
      throw new RecordingError(
        `unsupported ERB tag in recording: ${tag} (only ENV.fetch("NAME", "default") and ENV["NAME"] are understood)`,
      );
    const name = (match[1] ?? match[3])!;
    const value = vars[name] ?? match[2];
    if (value === undefined) throw new RecordingError(`recording needs ${name}, which is not set and has no default in ${tag}`);
    return value;
  });
}

function stepError(index: number, event: unknown, error: z.ZodError, prefix: string): RecordingError {
  const where = `step ${index + 1}${typeof event === "string" ? ` (${event})` : ""}`;
  const details = error.issues
    .slice(0, 3)
    .map((issue) => {
      const path = [prefix, ...issue.path.map(String)].filter(Boolean).join(".");
      return `${path ? `at ${path}: ` : ""}${issue.message}`;
    })
    .join("; ");
  return new RecordingError(`invalid recording: ${where}: ${details}`);
}

function parseStep(raw: unknown, index: number): RecordingStep {
  if (typeof raw === "object" && raw !== null && "sleep" in raw) {
    const sleep = SleepStep.safeParse(raw);
    if (!sleep.success) throw stepError(index, "sleep", sleep.error, "");
    return { kind: "sleep", seconds: sleep.data.sleep.time };
  }
  const send = SendStep.safeParse(raw);
  if (!send.success) throw stepError(index, undefined, send.error, "");
  const data = send.data.send.data;
  const frame = MediaStreamFrame.safeParse(data);
  if (!frame.success) throw stepError(index, (data as { event?: unknown } | null)?.event, frame.error, "send.data");
  return { kind: "send", frame: frame.data };
}

/**
 * Parses a recording. `vars` feeds the ERB lookups: pass `{ ACCOUNT_SID: <configured account> }`
 * so the `start` frame carries the account the application expects.
 */
export function parseRecording(text: string, vars: Readonly<Record<string, string | undefined>> = {}): Recording {
  let raw: unknown;
  try {
    raw = parseYaml(substituteErb(text, vars));
  } catch (error) {
    if (error instanceof RecordingError) throw error;
    throw new RecordingError(`recording is not valid YAML: ${(error as Error).message}`);
  }
  const list = RawSteps.safeParse(raw);
  if (!list.success) throw new RecordingError(`invalid recording: expected a list of send/sleep steps (${list.error.issues[0]?.message})`);
  const steps = list.data.map(parseStep);
  const starts = steps.flatMap((s) => (s.kind === "send" && s.frame.event === "start" ? [s.frame] : []));
  if (starts.length !== 1) throw new RecordingError(`a recording needs exactly one start frame, found ${starts.length}`);
  const start = starts[0]!;
  const media: Record<MediaTrack, MediaFrame[]> = { inbound: [], outbound: [] };
  let durationSeconds = 0;
  for (const step of steps) {
    if (step.kind === "sleep") durationSeconds += step.seconds;
    else if (step.frame.event === "media") media[step.frame.media.track].push(step.frame);
  }
  return {
    steps,
    start: start.start,
    callSid: start.start.callSid,
    accountSid: start.start.accountSid,
    streamSid: start.streamSid,
    media,
    durationSeconds,
  };
}

/** The µ-law bytes of one track, frames concatenated in recording order. */
export function trackAudio(recording: Recording, track: MediaTrack): Buffer {
  return Buffer.concat(recording.media[track].map((frame) => Buffer.from(frame.media.payload, "base64")));
}
