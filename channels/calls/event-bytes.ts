import type { CallEvent } from "./call-event.js";

// Printable ASCII but `"` and `\`: JSON writes such a string as it is, between two quotes.
const VERBATIM_IN_JSON = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

function jsonStringBytes(text: string): number {
  return VERBATIM_IN_JSON.test(text) ? text.length + 2 : Buffer.byteLength(JSON.stringify(text));
}

function jsonValueBytes(value: unknown): number {
  switch (typeof value) {
    case "string":
      return jsonStringBytes(value);
    case "number":
      // JSON writes a number as String() does, and NaN or ±Infinity as null.
      return Number.isFinite(value) ? String(value).length : 4;
    case "boolean":
      return value ? 4 : 5;
    default:
      return Buffer.byteLength(JSON.stringify(value) ?? "");
  }
}

/**
 * `Buffer.byteLength(JSON.stringify(event))`, the size a timeline is capped by, without writing
 * the JSON: the registry counts every event it records (each transcript, each call start), and
 * the text of most needs no escaping, so its length is its size.
 */
export function eventJsonBytes(event: CallEvent): number {
  let bytes = 2; // the braces
  let fields = 0;
  // Object.keys, not Object.entries: one array per event instead of one per field as well.
  for (const key of Object.keys(event)) {
    const value = (event as Record<string, unknown>)[key];
    // JSON.stringify leaves these keys out.
    if (value === undefined || typeof value === "function" || typeof value === "symbol") continue;
    bytes += (fields++ === 0 ? 0 : 1) + jsonStringBytes(key) + 1 + jsonValueBytes(value);
  }
  return bytes;
}
