import type { z } from "zod";

/**
 * Connection or channel state as AnyCable keeps it: a string map that anycable-go stores
 * between calls. The store remembers what changed so the response carries only a delta,
 * where an empty string deletes a key.
 */
export class StateStore {
  // Most calls only read state, or ignore it: the incoming map is kept as it came and the
  // change map exists only once something is written.
  readonly #initial: Readonly<Record<string, string>> | undefined;
  #changes: Map<string, string> | undefined;

  constructor(initial?: Readonly<Record<string, string>> | null) {
    this.#initial = initial ?? undefined;
  }

  get(key: string): string | undefined {
    const changed = this.#changes?.get(key);
    if (changed !== undefined) return changed === "" ? undefined : changed;
    const initial = this.#initial;
    return initial !== undefined && Object.hasOwn(initial, key) ? initial[key] : undefined;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  set(key: string, value: string): void {
    // AnyCable deletes a key whose value is empty, so storing "" is the same as deleting.
    (this.#changes ??= new Map()).set(key, value);
  }

  delete(key: string): void {
    this.set(key, "");
  }

  /** Reads a JSON value written by `setJSON`, validated by `schema`; undefined when absent or invalid. */
  getJSON<T>(key: string, schema: z.ZodType<T>): T | undefined {
    const raw = this.get(key);
    if (raw === undefined) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      return undefined;
    }
    const result = schema.safeParse(parsed);
    return result.success ? result.data : undefined;
  }

  setJSON(key: string, value: unknown): void {
    this.set(key, JSON.stringify(value));
  }

  toObject(): Record<string, string> {
    const values = new Map(this.#initial === undefined ? undefined : Object.entries(this.#initial));
    for (const [key, value] of this.#changes ?? []) {
      if (value === "") values.delete(key);
      else values.set(key, value);
    }
    return Object.fromEntries(values);
  }

  get changed(): boolean {
    return this.#changes !== undefined && this.#changes.size > 0;
  }

  /** The delta to send back: changed keys with their new values, deleted keys with "". */
  changes(): Record<string, string> {
    return this.#changes === undefined ? {} : Object.fromEntries(this.#changes);
  }
}
