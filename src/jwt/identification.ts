import type { Connection, ConnectionClassOf } from "../cable/connection.js";
import { DEFAULT_JWT_PARAM, urlWithJwt } from "./config.js";
import { issueJwt, JwtError, verifyJwt, type IssueJwtOptions, type VerifyJwtOptions } from "./token.js";

export interface JwtIdentificationOptions {
  secret: string;
  /** Token lifetime in seconds; default one hour. */
  ttlSeconds?: number;
  /** Query parameter anycable-go reads (`--jwt_param`); default `jid`. */
  param?: string;
  now?: () => Date;
}

export interface JwtIdentification<T extends Connection> {
  /** A token that identifies its bearer as `identifiers` to anycable-go. */
  issue(identifiers: T["identifiers"], options?: Pick<IssueJwtOptions, "expiresAt" | "ttlSeconds">): string;
  /** The cable URL with a fresh token in its query, ready for `createCable(url)`. */
  url(cableUrl: string | URL, identifiers: T["identifiers"]): string;
  /** The identifiers a token carries, validated by the connection class; throws JwtError / JwtExpiredError. */
  verify(token: unknown, options?: Pick<VerifyJwtOptions, "now">): T["identifiers"];
}

/**
 * Tokens for a connection class: the `ext` claim is `connection.identifiersJson(identifiers)`,
 * the string the RPC server itself registers a connection of that class under, so channels read
 * the same identifiers whether the client came through Connect or through a token.
 */
export function jwtIdentification<T extends Connection>(
  connection: ConnectionClassOf<T>,
  options: JwtIdentificationOptions,
): JwtIdentification<T> {
  const { secret, ttlSeconds, now } = options;
  const param = options.param ?? DEFAULT_JWT_PARAM;
  const encode = (identifiers: T["identifiers"]): string =>
    (connection as unknown as typeof Connection).identifiersJson.call(connection, identifiers);
  // Fail at set-up rather than at the first request.
  if (typeof secret !== "string" || secret === "") throw new TypeError("jwtIdentification needs a non-empty secret");
  return {
    issue: (identifiers, overrides = {}) =>
      issueJwt(encode(identifiers), { secret, ttlSeconds: overrides.ttlSeconds ?? ttlSeconds, expiresAt: overrides.expiresAt, now }),
    url: (cableUrl, identifiers) => urlWithJwt(cableUrl, issueJwt(encode(identifiers), { secret, ttlSeconds, now }), param),
    verify: (token, overrides = {}) => {
      const { identifiers } = verifyJwt(token, { secret, now: overrides.now ?? now });
      let json: unknown;
      try {
        json = JSON.parse(identifiers);
      } catch {
        throw new JwtError("Token identifiers are not JSON");
      }
      const parsed = connection.identifiers.safeParse(json);
      if (!parsed.success) throw new JwtError(`Token identifiers do not match ${connection.name}`);
      return parsed.data as T["identifiers"];
    },
  };
}
