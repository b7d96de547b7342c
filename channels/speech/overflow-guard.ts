// Bounded buffering for recognizers: audio waiting for a slow recognizer is capped, and what
// does not fit is dropped rather than queued, so one stuck recognizer can neither stall the
// bridge's socket nor grow its memory. Each overflow episode (from the first dropped chunk
// until audio fits again) is reported once, not once per 20 ms frame.
import type { Logger } from "pino";
import { msOf } from "./audio-format.js";
import { errorResult } from "./results.js";
import type { SpeechResult } from "./recognizer.js";

export interface OverflowGuardOptions {
  /** How much audio may wait, in samples. */
  maxSamples: number;
  logger: Logger;
  /** Receives one error result per overflow episode. */
  onResult: (result: SpeechResult) => void;
  recognizer: string;
}

export class OverflowGuard {
  readonly #options: OverflowGuardOptions;
  #dropping = false;
  #droppedInEpisode = 0;
  /** Samples dropped over the stream's life, for logs and tests. */
  droppedSamples = 0;

  constructor(options: OverflowGuardOptions) {
    this.#options = options;
  }

  get maxSamples(): number {
    return this.#options.maxSamples;
  }

  /**
   * Whether `incoming` samples may join `waiting` already queued. False means: drop them; the
   * first drop of an episode is logged and reported as an error result.
   */
  admit(waiting: number, incoming: number): boolean {
    if (waiting + incoming <= this.#options.maxSamples) {
      if (this.#dropping) {
        this.#options.logger.warn(
          { recognizer: this.#options.recognizer, droppedMs: Math.round(msOf(this.#droppedInEpisode)) },
          "speech recognizer caught up; audio flows again",
        );
        this.#dropping = false;
        this.#droppedInEpisode = 0;
      }
      return true;
    }
    this.droppedSamples += incoming;
    this.#droppedInEpisode += incoming;
    if (!this.#dropping) {
      this.#dropping = true;
      const bufferedMs = Math.round(msOf(waiting));
      this.#options.logger.warn(
        { recognizer: this.#options.recognizer, bufferedMs },
        "speech recognizer is falling behind: dropping audio until it catches up",
      );
      this.#options.onResult(errorResult(`${this.#options.recognizer}: recognizer is falling behind, audio dropped`));
    }
    return false;
  }
}
