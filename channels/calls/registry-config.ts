import { ConfigError, z } from "anycable-ts";
import type { RegistryLimits } from "./call-registry.js";

const seconds = z.coerce
  .number()
  .int()
  .min(1)
  .max(24 * 3600);

const schema = z.object({
  CALL_LEASE_SECONDS: seconds.default(120),
  CALL_REGISTRY_MAX_LIVE_CALLS: z.coerce.number().int().min(1).max(100_000).default(200),
  CALL_REGISTRY_MAX_BYTES_PER_CALL: z.coerce
    .number()
    .int()
    .min(1024)
    .max(16 * 1024 * 1024)
    .default(64 * 1024),
});

function blankToUndefined(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}

/**
 * The registry's bounds that operators may change; the RPC side and the dashboard read the same
 * variables so they agree on when a silent call is over. Throws ConfigError.
 */
export function loadRegistryLimits(env: NodeJS.ProcessEnv): Partial<RegistryLimits> & Pick<RegistryLimits, "leaseMs"> {
  const parsed = schema.safeParse({
    CALL_LEASE_SECONDS: blankToUndefined(env.CALL_LEASE_SECONDS),
    CALL_REGISTRY_MAX_LIVE_CALLS: blankToUndefined(env.CALL_REGISTRY_MAX_LIVE_CALLS),
    CALL_REGISTRY_MAX_BYTES_PER_CALL: blankToUndefined(env.CALL_REGISTRY_MAX_BYTES_PER_CALL),
  });
  if (!parsed.success) {
    throw new ConfigError(
      `Invalid call registry configuration:\n${parsed.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`).join("\n")}`,
    );
  }
  return {
    leaseMs: parsed.data.CALL_LEASE_SECONDS * 1000,
    maxLiveCalls: parsed.data.CALL_REGISTRY_MAX_LIVE_CALLS,
    maxBytesPerCall: parsed.data.CALL_REGISTRY_MAX_BYTES_PER_CALL,
  };
}
