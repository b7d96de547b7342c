/** A decoded JSON object (not an array, not null): what identifiers, params and action data must be. */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
