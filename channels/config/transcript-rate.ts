import { ConfigError } from "../../src/index.js";

const DEFAULT_TRANSCRIPTS_PER_SECOND = 50;

/**
 * CALL_TRANSCRIPTS_PER_SECOND: how many recognition results one call's stream may send a second
 * (recognisers send a few partials a second); the rest are dropped and logged. Throws ConfigError.
 */
export function loadTranscriptRate(env: NodeJS.ProcessEnv): number {
  const raw = env.CALL_TRANSCRIPTS_PER_SECOND?.trim();
  if (!raw) return DEFAULT_TRANSCRIPTS_PER_SECOND;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 1 || value > 10_000) {
    throw new ConfigError(
      `Invalid call monitor configuration:\n  CALL_TRANSCRIPTS_PER_SECOND: expected a whole number from 1 to 10000, got ${JSON.stringify(raw)}`,
    );
  }
  return value;
}
