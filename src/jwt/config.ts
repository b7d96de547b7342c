/**
 * JWT settings resolved as anycable-go resolves its own, so the tokens we issue are the ones it
 * accepts when both read the same environment: ANYCABLE_JWT_SECRET, else ANYCABLE_SECRET used
 * as is (anycable-go copies `--secret` into the JWT secret; it does not derive one), "none"
 * switching it off; the token travels in the ANYCABLE_JWT_PARAM query parameter (default
 * `jid`) or an `X-<param>` header. ANYCABLE_JWT_TTL (seconds) is the Ruby gem's setting.
 */
import { z } from "zod";
import { envPositiveInt, nonEmpty, parseEnv } from "../config/env.js";
import { DEFAULT_JWT_TTL_SECONDS } from "./token.js";

export interface JwtConfig {
  /** Undefined when neither variable is set (or set to "none"): JWT identification is off. */
  secret: string | undefined;
  ttlSeconds: number;
  /** Query parameter name; the header is `x-<param>`. */
  param: string;
}

export const DEFAULT_JWT_PARAM = "jid";

const schema = z.object({
  ANYCABLE_JWT_TTL: envPositiveInt.optional(),
  ANYCABLE_JWT_PARAM: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, "expected a query parameter name")
    .optional(),
});

export function loadJwtConfig(env: NodeJS.ProcessEnv = process.env): JwtConfig {
  const values = parseEnv(schema, env, "JWT");
  const secret = nonEmpty(env, "ANYCABLE_JWT_SECRET", "JWT") ?? nonEmpty(env, "ANYCABLE_SECRET", "JWT");
  return {
    secret: secret === "none" ? undefined : secret,
    ttlSeconds: values.ANYCABLE_JWT_TTL ?? DEFAULT_JWT_TTL_SECONDS,
    param: values.ANYCABLE_JWT_PARAM ?? DEFAULT_JWT_PARAM,
  };
}

/** The WebSocket URL with the token in the query, e.g. `wss://cable.example.com/cable?jid=…`. */
export function urlWithJwt(cableUrl: string | URL, token: string, param: string = DEFAULT_JWT_PARAM): string {
  const url = new URL(cableUrl);
  url.searchParams.set(param, token);
  return url.toString();
}
