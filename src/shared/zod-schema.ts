import type { z } from "zod";

/** A zod 4 schema from any copy of zod: its internals (`_zod`) and the parse method we call. */
export function isZodSchema(value: unknown): value is z.ZodType {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as { safeParse?: unknown; _zod?: unknown };
  return typeof candidate.safeParse === "function" && typeof candidate._zod === "object" && candidate._zod !== null;
}
