// `npm run make-recording -- "sentence" ["sentence"...] out.yml`: a Twilio media stream of a
// caller saying the sentences, as a recording `npm run simulate -- --replay out.yml` plays.
// `npm run make-recording -- --repository` regenerates channels/recordings/*.yml from
// channels/recordings/recordings.json.
import { writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { createLogger } from "anycable-ts";
import { isCallSid } from "../../calls/call-sid.js";
import { recordingPath, repositoryRecordings } from "../../recordings/repository-recordings.js";
import { makeRecording } from "./make-recording.js";
import { DEFAULT_VOICE } from "./synthesize.js";

const USAGE = `Makes a Twilio media-stream recording of a caller saying the given sentences
(espeak-ng -> sox -> 8 kHz µ-law, 20 ms frames).

Usage:
  npm run make-recording -- "sentence" ["sentence" ...] out.yml [options]
  npm run make-recording -- --repository      regenerate channels/recordings/*.yml

Options:
  --outbound TEXT   also an outbound track (the robot's voice) saying TEXT (repeatable)
  --param NAME=VAL  a stream parameter in start.customParameters (repeatable)
  --call-sid SID    "CA" + 32 hex (default: derived from the sentences, so output is reproducible)
  --voice VOICE     espeak-ng voice (default ${DEFAULT_VOICE})
  -h, --help        this help`;

async function main(argv: string[]): Promise<number> {
  const logger = createLogger({ name: "make-recording" });
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      repository: { type: "boolean", default: false },
      outbound: { type: "string", multiple: true },
      param: { type: "string", multiple: true },
      "call-sid": { type: "string" },
      voice: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (values.repository) {
    for (const [name, spec] of Object.entries(repositoryRecordings())) {
      const path = recordingPath(name);
      await writeFile(path, await makeRecording({ sentences: spec.sentences, outbound: spec.outbound }));
      logger.info({ path }, "recording written");
    }
    return 0;
  }
  const out = positionals.at(-1);
  const sentences = positionals.slice(0, -1);
  if (!out || !/\.ya?ml$/.test(out) || sentences.length === 0) {
    process.stderr.write(`give one or more sentences and then the output file (.yml)\n\n${USAGE}\n`);
    return 2;
  }
  const callSid = values["call-sid"];
  if (callSid !== undefined && !isCallSid(callSid)) {
    process.stderr.write(`--call-sid must be "CA" followed by 32 lower-case hex digits, got "${callSid}"\n`);
    return 2;
  }
  const customParameters: Record<string, string> = {};
  for (const param of values.param ?? []) {
    const eq = param.indexOf("=");
    if (eq <= 0) {
      process.stderr.write(`--param expects NAME=VALUE, got "${param}"\n`);
      return 2;
    }
    customParameters[param.slice(0, eq)] = param.slice(eq + 1);
  }
  await writeFile(out, await makeRecording({ sentences, outbound: values.outbound, customParameters, callSid, voice: values.voice }));
  logger.info({ path: out, sentences: sentences.length }, "recording written");
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`make-recording: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
