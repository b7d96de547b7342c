import { z } from "zod";

/** Connection identifiers: a JSON object, as LiteCable serialises `identified_by` values. */
export type Identifiers = Record<string, unknown>;

export const anyIdentifiers: z.ZodType<Identifiers> = z.record(z.string(), z.unknown());

export function encodeIdentifiers(values: Identifiers | undefined): string {
  return JSON.stringify(values ?? {});
}
