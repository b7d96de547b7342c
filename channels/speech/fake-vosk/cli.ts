// `npm run fake-vosk`: the fake Vosk server on its own, for trying the bridge without a
// recognizer (SPEECH_RECOGNIZER=vosk VOSK_RPC_HOST=<the same address>). By default it answers
// with the sentences of the repository's recordings, in manifest order, so replaying
// `hello-world` after a fresh start reads "hello world", "america".
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { createLogger, onShutdownSignal } from "anycable-ts";
import { allRecordingSentences, recordingSentences } from "../../recordings/repository-recordings.js";
import { DEFAULT_VOSK_RPC_HOST } from "../speech-config.js";
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

async function main(): Promise<void> {
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
    return;
  }
  const phrases = [...(values.phrase ?? [])];
  if (values["phrases-file"])
    phrases.push(
      ...readFileSync(values["phrases-file"], "utf8")
        .split(/\r?\n/)
        .filter((l) => l.trim() !== ""),
    );
  if (values.recording) phrases.push(...recordingSentences(values.recording));
  const logger = createLogger({ name: "fake-vosk" });
  const listen = values.listen ?? (process.env.VOSK_RPC_HOST?.trim() || DEFAULT_VOSK_RPC_HOST);
  const server = await startFakeVosk({ listen, phrases: phrases.length > 0 ? phrases : allRecordingSentences(), logger });
  onShutdownSignal({
    onStop: () => {
      void server.close().then(() => process.exit(0));
    },
    onForce: () => process.exit(1),
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`fake-vosk: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
