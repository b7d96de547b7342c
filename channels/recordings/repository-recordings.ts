// The project's own recorded calls: Twilio media streams made from known sentences by
// `npm run make-recording` (see channels/tools/recording-maker), so tests, `npm run simulate` and
// the fake Vosk server need nothing from outside the repository. recordings.json is the source
// of truth; the .yml files beside it are generated from it and committed.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { z } from "anycable-ts";

export const RECORDINGS_DIR = fileURLToPath(new URL(".", import.meta.url));

const Sentence = z.string().trim().min(1);

export const RecordingSpec = z.strictObject({
  description: z.string(),
  /** What the caller says (the inbound track), one utterance per sentence. */
  sentences: z.array(Sentence).min(1),
  /** What the other side says (the outbound track), if the stream carries both. */
  outbound: z.array(Sentence).min(1).optional(),
});
export type RecordingSpec = z.infer<typeof RecordingSpec>;

const Manifest = z.record(z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "recording names are lower-case words joined by -"), RecordingSpec);

let cached: Record<string, RecordingSpec> | undefined;

export function repositoryRecordings(): Record<string, RecordingSpec> {
  cached ??= Manifest.parse(JSON.parse(readFileSync(join(RECORDINGS_DIR, "recordings.json"), "utf8")));
  return cached;
}

/** The sentences spoken on the inbound track of a repository recording. */
export function recordingSentences(name: string): string[] {
  const spec = repositoryRecordings()[name];
  if (!spec) throw new Error(`no repository recording "${name}" (known: ${Object.keys(repositoryRecordings()).join(", ")})`);
  return spec.sentences;
}

export function recordingPath(name: string): string {
  recordingSentences(name);
  return join(RECORDINGS_DIR, `${name}.yml`);
}

/** Every sentence of every repository recording, in manifest order: the fake Vosk server's default script. */
export function allRecordingSentences(): string[] {
  return Object.values(repositoryRecordings()).flatMap((spec) => spec.sentences);
}
