import { z } from "zod";
import { configErrorFrom } from "./errors.js";

export const envPositiveInt = z
  .string()
  .trim()
  .regex(/^\d+$/, "expected a positive whole number")
  .transform(Number)
  .pipe(z.number().int().positive());

/**
 * One variable before its loader's schema sees it: text, and blank means "not set", as in the
 * shell convention `VAR= command`. process.env only ever holds strings, but a loader also takes
 * an env object built by hand (tests, a config file's values), where a number or an object must
 * be a ConfigError naming the variable, not a TypeError from inside a loader.
 */
const envVariable = z
  .string({
    error: (issue) => `expected text, as every environment variable is, not ${issue.input === null ? "null" : typeof issue.input}`,
  })
  .optional()
  .transform((value) => (value === undefined || value.trim() === "" ? undefined : value));

/** The variables `names`, each text or undefined; a ConfigError lists every one that is not text. */
function readVariables(env: NodeJS.ProcessEnv, names: readonly string[], what: string): Record<string, string | undefined> {
  const read = z.object(Object.fromEntries(names.map((name) => [name, envVariable]))).safeParse(env);
  if (!read.success) throw configErrorFrom(read.error, what);
  return read.data;
}

/**
 * The variable's value, undefined when unset or blank. When it is not text, a ConfigError names
 * it and `what` loads it, as parseEnv's do: "Invalid <what> configuration:\n  <name>: …".
 */
export function nonEmpty(env: NodeJS.ProcessEnv, name: string, what: string): string | undefined {
  return readVariables(env, [name], what)[name];
}

/**
 * The one way a loader reads its variables: every variable `schema` names, blank ones as unset,
 * parsed together so that one ConfigError ("Invalid <what> configuration") lists every problem
 * (or, first, every variable that is not text at all).
 */
export function parseEnv<Shape extends z.ZodRawShape>(
  schema: z.ZodObject<Shape>,
  env: NodeJS.ProcessEnv,
  what: string,
): z.output<z.ZodObject<Shape>> {
  const parsed = schema.safeParse(readVariables(env, Object.keys(schema.shape), what));
  if (!parsed.success) throw configErrorFrom(parsed.error, what);
  return parsed.data;
}
