import { z } from "zod";

/** Boolean env flags as AnyCable reads them: true/1/yes/on and false/0/no/off, case-insensitive. */
export const envBoolean = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => ["true", "1", "yes", "on", "false", "0", "no", "off"].includes(v), {
    message: "expected true or false",
  })
  .transform((v) => ["true", "1", "yes", "on"].includes(v));

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
