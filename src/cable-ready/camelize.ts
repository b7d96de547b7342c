/**
 * Key camelization exactly as the cable_ready gem applies it to every operation before
 * broadcasting: ActiveSupport's `camelize(:lower)` mapped over all keys at every depth
 * (`deep_transform_keys`). Matching it byte for byte matters because the client reads options
 * by their camelized names, and because applications ported from Ruby pass nested objects
 * (`detail`, `styles`, `state`, `options`) whose snake_case keys the gem would have rewritten.
 */
import { isPlainObject } from "../cable/json-object.js";

// ActiveSupport's `\w` and `\d` are ASCII-only, and its `^` matches at the start of any line
// (Ruby anchors are line anchors), so the first word character at a line start is the one
// that gets lower-cased. In practice that is the first character of the key.
const FIRST_WORD_CHARACTER = /(?:^|(?<=\n))[A-Za-z0-9_]/;
// An underscore or a slash followed by a run of ASCII letters and digits: the run is
// capitalized (first letter up, rest down) and the underscore dropped; a slash becomes "::".
const SEGMENT = /(?:_|(\/))([a-z\d]*)/gi;

// A key camelize(:lower) would leave as it is; most keys are, and skipping the regexes for them
// is a measurable share of building an operation.
const ALREADY_CAMEL = /^[a-z][A-Za-z0-9]*$/;

/** Keys seen to be camelCase already; operations reuse a handful of option names. */
const knownCamel = new Set<string>();
export const MAX_KNOWN_CAMEL = 1_000;

/** Whether camelize(:lower) leaves `key` as it is (the common case, checked without a regex once seen). */
export function isCamelKey(key: string): boolean {
  if (knownCamel.has(key)) return true;
  if (!ALREADY_CAMEL.test(key)) return false;
  if (knownCamel.size < MAX_KNOWN_CAMEL) knownCamel.add(key);
  return true;
}

function capitalize(word: string): string {
  return word.length === 0 ? word : word.charAt(0).toUpperCase() + word.slice(1).toLowerCase();
}

/** `focus_selector` -> `focusSelector`, `selectAll` -> `selectAll`, `Background_COLOR` -> `backgroundColor`. */
export function camelizeKey(key: string): string {
  if (isCamelKey(key)) return key;
  return key
    .replace(FIRST_WORD_CHARACTER, (first) => first.toLowerCase())
    .replace(SEGMENT, (_match, slash: string | undefined, word: string) => (slash ? `::${capitalize(word)}` : capitalize(word)));
}

/**
 * Whether deepCamelizeKeys would leave this property as it is: its key already camelCase and its
 * value nothing it descends into (an array or a plain object). An object whose properties all are
 * can be copied instead of replayed (isFlatAndCamel below, and copyOptions in operations.ts).
 */
export function isFlatCamelEntry(key: string, value: unknown): boolean {
  return isCamelKey(key) && !Array.isArray(value) && !isPlainObject(value);
}

/**
 * Nothing to rename and nothing to descend into: the replay below would return the same keys in
 * the same order. Symbol-keyed properties send an object to the replay too: a spread would copy
 * them, the replay drops them (they have no name to camelize and JSON has no place for them).
 */
function isFlatAndCamel(value: Record<string, unknown>): boolean {
  for (const key in value) {
    if (!isFlatCamelEntry(key, value[key])) return false;
  }
  return Object.getOwnPropertySymbols(value).length === 0;
}

/**
 * Returns a copy of `value` with every plain-object key camelized, descending into arrays as
 * ActiveSupport does. Other objects (dates, class instances) are left for JSON.stringify.
 */
export function deepCamelizeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(deepCamelizeKeys);
  if (!isPlainObject(value)) return value;
  if (isFlatAndCamel(value)) return { ...value };
  // Replays Ruby's in-place `deep_transform_keys!` (delete each key, store under its new name)
  // so that keys colliding after camelization (`select_all` and `selectAll`) resolve to the
  // same value the gem would send. Map keeps insertion order the way a Ruby Hash does.
  const entries = new Map<string, unknown>(Object.entries(value));
  for (const key of [...entries.keys()]) {
    const inner = entries.get(key);
    entries.delete(key);
    entries.set(camelizeKey(key), deepCamelizeKeys(inner));
  }
  // fromEntries defines own properties, so a "__proto__" key could never reach the prototype.
  return Object.fromEntries(entries);
}

/**
 * How many keys isCamelKey's cache holds. Keys come from callers (a custom operation's options, a
 * nested `detail`), so the cache is bounded, and this count is the only place the bound shows.
 */
export function knownCamelKeyCount(): number {
  return knownCamel.size;
}
