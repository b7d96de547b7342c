import type { z } from "zod";

/** Thrown at start-up when the environment cannot configure the server; the message is for a person. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

export function configErrorFrom(error: z.ZodError, what: string): ConfigError {
  const lines = error.issues.map((issue) => {
    const key = issue.path.join(".") || "(environment)";
    return `  ${key}: ${issue.message}`;
  });
  return new ConfigError(`Invalid ${what} configuration:\n${lines.join("\n")}`);
}
