import { isPlainObject } from "./json-object.js";

/**
 * Parsed forms of client strings that arrive again and again — a subscription's identifier on
 * every perform, a connection's identifiers on every command — keyed by the exact string, so
 * the JSON parse and schema check run once per distinct string instead of once per call.
 * Bounded: when full, the oldest entry goes.
 *
 * Only values that passed `freezeJsonData` belong here: frozen plain data is the same whoever
 * reads it, so one call cannot change what the next one gets.
 */
export class ParseCache<V> {
  readonly #entries = new Map<string, V>();
  readonly #capacity: number;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  get(key: string): V | undefined {
    return this.#entries.get(key);
  }

  set(key: string, value: V): void {
    if (this.#capacity <= 0) return;
    if (this.#entries.size >= this.#capacity && !this.#entries.has(key)) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    this.#entries.set(key, value);
  }

  get size(): number {
    return this.#entries.size;
  }
}

/**
 * Deep-freezes `value` when it is plain JSON data (objects with the plain prototype, arrays,
 * strings, finite numbers, booleans, null) and says whether it was. Anything else — a Date, a
 * Map, a class instance a schema's transform produced — is left untouched, and `false` tells the
 * caller not to share it between calls.
 */
export function freezeJsonData(value: unknown): boolean {
  if (!isJsonData(value)) return false;
  deepFreeze(value);
  return true;
}

// Deeper than any identifier a client sends; it also stops a transform's cyclic output.
const MAX_DEPTH = 32;

function isJsonData(value: unknown, depth = 0): boolean {
  if (value === null || typeof value === "string" || typeof value === "boolean") return true;
  if (typeof value === "number") return Number.isFinite(value);
  if (typeof value !== "object" || depth >= MAX_DEPTH) return false;
  if (Array.isArray(value)) {
    for (const item of value) if (!isJsonData(item, depth + 1)) return false;
    return true;
  }
  if (!isPlainObject(value)) return false;
  for (const key in value) if (!isJsonData(value[key], depth + 1)) return false;
  return true;
}

function deepFreeze(value: unknown): void {
  if (typeof value !== "object" || value === null) return;
  Object.freeze(value);
  for (const key in value) deepFreeze((value as Record<string, unknown>)[key]);
}
