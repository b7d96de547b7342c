import type { MiddlewareHandler } from "hono";

/**
 * A Content Security Policy as a second line behind escaping: even if caller text slipped into
 * markup unescaped, no inline or foreign script would run. WebSockets may go only to the cable
 * URL; inline styles are allowed because the stylesheet is inlined.
 */
export function securityHeaders(cableUrl: string): MiddlewareHandler {
  const cableOrigin = new URL(cableUrl).origin;
  const policy = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    `connect-src 'self' ${cableOrigin}`,
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
  return async (c, next) => {
    await next();
    c.header("Content-Security-Policy", policy);
    c.header("X-Content-Type-Options", "nosniff");
    c.header("Referrer-Policy", "same-origin");
  };
}
