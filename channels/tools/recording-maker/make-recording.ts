// A recorded call made from text: the sentences spoken (synthesize.ts), cut into Twilio's
// frames (twilio-frames.ts) and written as replayable YAML steps (recording-yaml.ts).
import { createHash } from "node:crypto";
import { recordingYaml } from "./recording-yaml.js";
import { DEFAULT_VOICE, speakMulaw } from "./synthesize.js";
import { ACCOUNT_SID_ERB, twilioFrames } from "./twilio-frames.js";

export interface MakeRecordingInput {
  sentences: readonly string[];
  outbound?: readonly string[] | undefined;
  customParameters?: Record<string, string>;
  callSid?: string | undefined;
  voice?: string | undefined;
}

function digest(kind: string, sentences: readonly string[]): string {
  return createHash("sha256")
    .update(`${kind}\n${sentences.join("\n")}`)
    .digest("hex")
    .slice(0, 32);
}

/** The recording's YAML text. */
export async function makeRecording(input: MakeRecordingInput): Promise<string> {
  const voice = input.voice === undefined ? {} : { voice: input.voice };
  const inbound = await speakMulaw(input.sentences, voice);
  const outbound = input.outbound ? await speakMulaw(input.outbound, voice) : undefined;
  const frames = twilioFrames({
    callSid: input.callSid ?? `CA${digest("call", input.sentences)}`,
    streamSid: `MZ${digest("stream", input.sentences)}`,
    accountSid: ACCOUNT_SID_ERB,
    inbound,
    outbound,
    customParameters: input.customParameters ?? {},
  });
  const said = input.sentences.map((s) => JSON.stringify(s)).join(", ");
  const comment = [`Made by npm run make-recording (espeak-ng ${input.voice ?? DEFAULT_VOICE}, sox): the caller says ${said}.`];
  if (input.outbound) comment.push(`Outbound track: ${input.outbound.map((s) => JSON.stringify(s)).join(", ")}.`);
  return recordingYaml(frames, comment);
}
