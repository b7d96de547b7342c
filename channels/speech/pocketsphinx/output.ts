// What Debian's `pocketsphinx_continuous` (0.8+5prealpha) prints with `-time yes`: it has no
// JSON output; per utterance found by its voice activity detector it prints the hypothesis on
// one line, then one `word start end posterior` line per segment, times in seconds from the
// start of the input. Fillers (<s>, </s>, <sil>, [NOISE], ...) mark the utterance bounds;
// alternative pronunciations come as `word(2)`. The one parser of that output.

export interface RecognizedWord {
  word: string;
  /** Seconds from the start of the audio. */
  start: number;
  end: number;
  /** pocketsphinx's posterior probability, 0..1. */
  confidence: number;
}

export interface Utterance {
  /** The hypothesis line as printed; "" when the recogniser heard only noise. */
  hypothesis: string;
  words: RecognizedWord[];
  /** Bounds of the whole utterance, silences included. */
  start: number;
  end: number;
}

const SEGMENT = /^(\S+) (-?\d+(?:\.\d+)?) (-?\d+(?:\.\d+)?) (-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)$/;
const FILLER = /^(<.*>|\[.*\]|\+\+.*\+\+)$/;

/** Parses what `pocketsphinx_continuous -time yes` prints on stdout. */
export function parsePocketsphinxOutput(stdout: string): Utterance[] {
  type Open = Utterance & { closed: boolean; timed: boolean };
  const utterances: Open[] = [];
  let current: Open | undefined;
  const open = (hypothesis: string): Open => {
    const next: Open = { hypothesis, words: [], start: 0, end: 0, closed: false, timed: false };
    utterances.push(next);
    current = next;
    return next;
  };
  for (const line of stdout.split(/\r?\n/)) {
    const segment = SEGMENT.exec(line.trim());
    if (!segment) {
      // A hypothesis line (possibly empty) opens the next utterance; one that never gets
      // segments, like the empty string after the last newline, is dropped below.
      open(line.trim());
      continue;
    }
    const [, rawWord, startText, endText, posterior] = segment;
    const start = Number(startText);
    const end = Number(endText);
    const utterance = current === undefined || current.closed ? open("") : current;
    if (!utterance.timed) {
      utterance.start = start;
      utterance.timed = true;
    }
    utterance.start = Math.min(utterance.start, start);
    utterance.end = Math.max(utterance.end, end);
    if (rawWord === "</s>") utterance.closed = true;
    if (FILLER.test(rawWord!)) continue;
    utterance.words.push({ word: rawWord!.replace(/\(\d+\)$/, ""), start, end, confidence: Number(posterior) });
  }
  return utterances
    .filter((u) => u.timed || u.hypothesis !== "")
    .map(({ hypothesis, words, start, end }) => ({ hypothesis, words, start, end }));
}

export function utteranceText(utterance: Utterance): string {
  return utterance.words.map((w) => w.word).join(" ");
}
