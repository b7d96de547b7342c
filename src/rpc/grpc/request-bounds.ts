/**
 * Counts a request's repeated entries (header, cstate and istate map entries, Disconnect's
 * subscriptions) straight from the protobuf wire bytes, before anything is decoded. Decoding a map
 * builds an object per entry: a legal 4 MiB request of tiny cstate entries is ~175,000 of them
 * and takes over a second of event-loop time, while skipping over them here takes a millisecond.
 */

/** Where the `Env` message sits in each request (rpc.proto). */
export const ENV_FIELD: Readonly<Record<string, number>> = { Connect: 3, Command: 5, Disconnect: 5 };

const VARINT = 0;
const FIXED64 = 1;
const LENGTH_DELIMITED = 2;
const FIXED32 = 5;

/**
 * Where countFields reads next. Module state rather than a closure over a local: countFields runs
 * for every request, and a closure made per call (which tsx also wraps in a naming helper) showed
 * up in the server's CPU profile. Safe because reading is synchronous and never re-entered.
 */
let at = 0;

/** The varint at `at` in `buffer[at, end)`, moving `at` past it; undefined when truncated or longer than 64 bits. */
function readVarint(buffer: Uint8Array, end: number): number | undefined {
  let value = 0;
  let shift = 0;
  while (at < end) {
    const byte = buffer[at++] as number;
    if (shift < 28) value |= (byte & 0x7f) << shift;
    else value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return value;
    shift += 7;
    if (shift > 63) return undefined;
  }
  return undefined;
}

/** Fields in `buffer[start, end)`; recurses once into `nestedField`. undefined when the bytes are not protobuf. */
function countFields(buffer: Uint8Array, start: number, end: number, nestedField: number | undefined): number | undefined {
  let count = 0;
  at = start;
  while (at < end) {
    const tag = readVarint(buffer, end);
    if (tag === undefined) return undefined;
    const field = Math.floor(tag / 8);
    const wireType = tag & 7;
    count++;
    switch (wireType) {
      case VARINT:
        if (readVarint(buffer, end) === undefined) return undefined;
        break;
      case FIXED64:
        at += 8;
        break;
      case FIXED32:
        at += 4;
        break;
      case LENGTH_DELIMITED: {
        const length = readVarint(buffer, end);
        if (length === undefined || at + length > end) return undefined;
        const next = at + length;
        if (field === nestedField) {
          // The nested count moves `at` itself; resume after the field either way.
          const nested = countFields(buffer, at, next, undefined);
          if (nested === undefined) return undefined;
          count += nested;
        }
        at = next;
        break;
      }
      default:
        return undefined;
    }
  }
  return at === end ? count : undefined;
}

/** How many fields (map entries included) a request carries; undefined for bytes that are not protobuf (the decoder reports those). */
export function requestEntries(method: string, buffer: Uint8Array): number | undefined {
  return countFields(buffer, 0, buffer.length, ENV_FIELD[method]);
}
