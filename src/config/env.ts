import { z } from "zod";
import { configErrorFrom } from "./errors.js";

export const envPositiveInt = z
  .string()
  .trim()
  .regex(/^\d+$/, "expected a positive whole number")
  .transform(Number)
  .pipe(z.number().int().positive());

/** An empty variable means "not set", as in the shell convention `VAR= command`. */
export function nonEmpty(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === "" ? undefined : value;
}

/**
 * The one way a loader reads its variables: every variable `schema` names, blank ones as unset,
 * parsed together so that one ConfigError ("Invalid <what> configuration") lists every problem.
 */
export function parseEnv<Shape extends z.ZodRawShape>(
  schema: z.ZodObject<Shape>,
  env: NodeJS.ProcessEnv,
  what: string,
): z.output<z.ZodObject<Shape>> {
  const picked = Object.fromEntries(Object.keys(schema.shape).map((name) => [name, nonEmpty(env, name)]));
  const parsed = schema.safeParse(picked);
  if (!parsed.success) throw configErrorFrom(parsed.error, what);
  return parsed.data;
}
