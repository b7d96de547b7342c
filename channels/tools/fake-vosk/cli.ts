// `npm run fake-vosk`: the fake Vosk server on its own, for trying the bridge without a
// recognizer (SPEECH_RECOGNIZER=vosk VOSK_RPC_HOST=<the same address>). By default it answers
// with the sentences of the repository's recordings, in manifest order, so replaying
// `hello-world` after a fresh start reads "hello world", "america".
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { runProcess } from "anycable-ts";
import { allRecordingSentences, recordingSentences } from "../../recordings/repository-recordings.js";
import { DEFAULT_VOSK_RPC_HOST } from "../../speech/speech-config.js";
import { startFakeVosk } from "./fake-vosk-server.js";

const USAGE = `Runs a fake Vosk speech-recognition server (gRPC vosk.stt.v1.SttService): the Nth
utterance of each stream is answered with the Nth phrase, partials word by word.

Usage: npm run fake-vosk -- [options]

Options:
  --listen HOST:PORT     address (default $VOSK_RPC_HOST, else ${DEFAULT_VOSK_RPC_HOST})
  --phrase TEXT          a phrase (repeatable, in order)
  --phrases-file FILE    phrases, one per line
  --recording NAME       the sentences of a repository recording (channels/recordings)
  -h, --help             this help

Without phrases: every sentence of every repository recording, in order.`;

/** The phrases to answer with, or undefined after printing the help. */
function phrasesFromCommandLine(): { listen?: string; phrases: string[] } | undefined {
  const { values } = parseArgs({
    options: {
      listen: { type: "string" },
      phrase: { type: "string", multiple: true },
      "phrases-file": { type: "string" },
      recording: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return undefined;
  }
  const phrases = [...(values.phrase ?? [])];
  if (values["phrases-file"])
    phrases.push(
      ...readFileSync(values["phrases-file"], "utf8")
        .split(/\r?\n/)
        .filter((l) => l.trim() !== ""),
    );
  if (values.recording) phrases.push(...recordingSentences(values.recording));
  return { listen: values.listen, phrases: phrases.length > 0 ? phrases : allRecordingSentences() };
}

let commandLine: ReturnType<typeof phrasesFromCommandLine>;
try {
  commandLine = phrasesFromCommandLine();
} catch (error) {
  // A usage mistake (an unknown option, a missing file or recording): a plain message, exit 1.
  process.stderr.write(`fake-vosk: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
if (commandLine) {
  const { listen, phrases } = commandLine;
  await runProcess({
    name: "fake-vosk",
    async start({ env, logger }) {
      const server = await startFakeVosk({ listen: listen ?? (env.VOSK_RPC_HOST?.trim() || DEFAULT_VOSK_RPC_HOST), phrases, logger });
      return { stop: () => server.close() };
    },
  });
}
