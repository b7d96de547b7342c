/**
 * Stream names given as one string or as several parts, joined by cable_ready's compound rule:
 * each part's string form joined with ":", null/undefined/false parts dropped
 * (`["call", sid]` -> `call:CA123`). The same rule names broadcast targets and signed streams,
 * so a page subscribed to `streamFromTag(["call", sid])` receives `stream(["call", sid])`.
 */
export type StreamKeyPart = string | number | bigint | boolean | null | undefined;
export type StreamKey = string | readonly StreamKeyPart[];

export function streamNameFrom(key: StreamKey): string {
  let name: string;
  if (typeof key === "string") {
    name = key;
  } else if (Array.isArray(key)) {
    const parts: readonly unknown[] = key;
    name = parts
      .filter((part) => part !== null && part !== undefined && part !== false)
      .map((part) => {
        if (!["string", "number", "bigint", "boolean"].includes(typeof part)) {
          throw new TypeError(`A stream name part must be a string, number or boolean, not ${typeof part}`);
        }
        return String(part);
      })
      .join(":");
  } else {
    throw new TypeError("A stream name must be a string or an array of parts");
  }
  if (name === "") throw new TypeError("A stream name must not be empty");
  return name;
}
