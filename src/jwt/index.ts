// AnyCable JWT identification: tokens anycable-go verifies in place of a Connect call.
export {
  issueJwt,
  verifyJwt,
  JwtError,
  JwtExpiredError,
  DEFAULT_JWT_TTL_SECONDS,
  type IssueJwtOptions,
  type VerifyJwtOptions,
  type VerifiedJwt,
} from "./token.js";
export { loadJwtConfig, urlWithJwt, DEFAULT_JWT_PARAM, type JwtConfig } from "./config.js";
export { jwtIdentification, type JwtIdentification, type JwtIdentificationOptions } from "./identification.js";
