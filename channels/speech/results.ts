// The results every recognizer hands to the bridge, with ids as the original media-stream
// server assigned them: the partials of one phrase and its final share an id, the next phrase
// gets a fresh random one, and failures carry "".
import { randomBytes } from "node:crypto";
import type { SpeechResult } from "./recognizer.js";

/** 16 hex characters: unique per phrase without being guessable from the previous one. */
export function randomPhraseId(): string {
  return randomBytes(8).toString("hex");
}

/** Numbers results of one call's phrases. One instance per recognition stream. */
export class PhraseIds {
  readonly #next: () => string;
  #current: string;

  constructor(next: () => string = randomPhraseId) {
    this.#next = next;
    this.#current = next();
  }

  /** A transcript of the current phrase; a final one closes the phrase. */
  transcript(text: string, final: boolean): SpeechResult {
    const result: SpeechResult = { id: this.#current, text, final, event: "transcript" };
    if (final) this.#current = this.#next();
    return result;
  }

  /** Abandons the current phrase (its recognizer failed mid-way): later text starts a new one. */
  restart(): void {
    this.#current = this.#next();
  }
}

/** A recognizer failure, in the shape the channel's `handle_message` expects. */
export function errorResult(message: string): SpeechResult {
  return { id: "", text: message, final: false, event: "error" };
}
