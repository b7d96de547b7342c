import type { z } from "zod";

/**
 * Connection or channel state as AnyCable keeps it: a string map that anycable-go stores
 * between calls. The store remembers what changed so the response carries only a delta,
 * where an empty string deletes a key.
 */
export class StateStore {
  readonly #values: Map<string, string>;
  readonly #changes = new Map<string, string>();

  constructor(initial?: Readonly<Record<string, string>> | null) {
    this.#values = new Map(initial ? Object.entries(initial) : undefined);
  }

  get(key: string): string | undefined {
    return this.#values.get(key);
  }

  has(key: string): boolean {
    return this.#values.has(key);
  }

  set(key: string, value: string): void {
    // AnyCable deletes a key whose value is empty, so storing "" is the same as deleting.
    if (value === "") return this.delete(key);
    this.#values.set(key, value);
    this.#changes.set(key, value);
  }

  delete(key: string): void {
    this.#values.delete(key);
    this.#changes.set(key, "");
  }

  /** Reads a JSON value written by `setJSON`, validated by `schema`; undefined when absent or invalid. */
  getJSON<T>(key: string, schema: z.ZodType<T>): T | undefined {
    const raw = this.#values.get(key);
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
    return Object.fromEntries(this.#values);
  }

  get changed(): boolean {
    return this.#changes.size > 0;
  }

  /** The delta to send back: changed keys with their new values, deleted keys with "". */
  changes(): Record<string, string> {
    return Object.fromEntries(this.#changes);
  }
}
