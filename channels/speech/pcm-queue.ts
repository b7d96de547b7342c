// A FIFO of PCM samples that hands them out in fixed-size chunks (Vosk wants 100–300 ms per
// message, not one per 20 ms frame) without copying on every push.
export class PcmQueue {
  #parts: Int16Array[] = [];
  #length = 0;

  get length(): number {
    return this.#length;
  }

  push(samples: Int16Array): void {
    if (samples.length === 0) return;
    this.#parts.push(samples);
    this.#length += samples.length;
  }

  /** Removes and returns up to `max` samples from the front. */
  take(max: number): Int16Array {
    const count = Math.min(max, this.#length);
    const out = new Int16Array(count);
    let filled = 0;
    while (filled < count) {
      const head = this.#parts[0]!;
      const needed = count - filled;
      if (head.length <= needed) {
        out.set(head, filled);
        filled += head.length;
        this.#parts.shift();
      } else {
        out.set(head.subarray(0, needed), filled);
        this.#parts[0] = head.subarray(needed);
        filled += needed;
      }
    }
    this.#length -= count;
    return out;
  }

  clear(): void {
    this.#parts = [];
    this.#length = 0;
  }
}
