import type { z } from "zod";
import { brand, hasBrand } from "../shared/brand.js";

/** Thrown at start-up when the environment cannot configure the server; the message is for a person. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

brand(ConfigError, "ConfigError");

/** A ConfigError from any copy of the framework (an application's factory may throw its own). */
export function isConfigError(error: unknown): error is ConfigError {
  return hasBrand(error, "ConfigError");
}

export function configErrorFrom(error: z.ZodError, what: string): ConfigError {
  const lines = error.issues.map((issue) => {
    const key = issue.path.join(".") || "(environment)";
    return `  ${key}: ${issue.message}`;
  });
  return new ConfigError(`Invalid ${what} configuration:\n${lines.join("\n")}`);
}
