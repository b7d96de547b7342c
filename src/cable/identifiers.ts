import { z } from "zod";

/** Connection identifiers: a JSON object, as LiteCable serialises `identified_by` values. */
export type Identifiers = Record<string, unknown>;

export const anyIdentifiers: z.ZodType<Identifiers> = z.record(z.string(), z.unknown());

export function encodeIdentifiers(values: Identifiers | undefined): string {
  return JSON.stringify(values ?? {});
}

/**
 * Action Cable's `connection_identifier`: values joined with ":", null ones dropped, strings as
 * they are, objects as JSON.
 */
export function connectionIdentifier(values: Identifiers): string {
  return Object.values(values)
    .filter((value) => value !== null && value !== undefined)
    .map((value) => {
      if (typeof value === "string") return value;
      if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
      return JSON.stringify(value);
    })
    .join(":");
}
