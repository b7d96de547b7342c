import { z } from "zod";

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
