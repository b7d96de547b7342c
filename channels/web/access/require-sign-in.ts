import type { MiddlewareHandler } from "hono";
import type { Logger } from "anycable-ts";
import type { DashboardAccess } from "../dashboard-config.js";
import { basicPassword } from "./password.js";
import type { PasswordCheck } from "./password-check.js";
import { LogThrottle } from "../../limits/log-throttle.js";
import { hasSession } from "./session.js";

export const SIGN_IN_PATH = "/sign-in";

/**
 * Everything but the exempt paths needs a session cookie (from the sign-in form) or HTTP Basic
 * with any user name and the dashboard password (scripts, monitoring). A browser asking for a page
 * is sent to the form; anything else gets 401 with a Basic challenge.
 */
export function requireSignIn(
  access: DashboardAccess,
  passwords: PasswordCheck | undefined,
  logger: Logger,
  exempt: (path: string) => boolean,
): MiddlewareHandler {
  const { password } = access;
  const warnings = new LogThrottle(10_000);
  return async (c, next) => {
    // No password: the configuration allows that only on a loopback-only dashboard.
    if (password === undefined || passwords === undefined || exempt(c.req.path)) return next();
    const basic = basicPassword(c.req.header("authorization"));
    if (basic !== undefined) {
      const verdict = passwords.check(basic);
      if (verdict.ok) return next();
      logger.warn(
        { path: c.req.path, throttled: verdict.throttled },
        "dashboard request refused: wrong password in HTTP Basic credentials",
      );
      if (verdict.throttled) {
        c.header("Retry-After", String(verdict.retryAfterSeconds));
        return c.text("Too many wrong passwords; try again later.", 429);
      }
    } else if (await hasSession(c, access, password)) {
      return next();
    }
    const wantsPage = (c.req.method === "GET" || c.req.method === "HEAD") && (c.req.header("accept") ?? "").includes("text/html");
    if (wantsPage && basic === undefined) {
      const target = c.req.path + new URL(c.req.url).search;
      return c.redirect(`${SIGN_IN_PATH}?next=${encodeURIComponent(target)}`, 303);
    }
    c.header("WWW-Authenticate", 'Basic realm="Call monitor", charset="UTF-8"');
    return c.text("Sign in first: the dashboard password, as a session from /sign-in or HTTP Basic (any user name).", 401);
  };
}

/** Only a local path may be a redirect target after signing in: no `//host`, `/\host` or scheme. */
export function safeNextPath(raw: string | undefined): string {
  return raw && /^\/(?![/\\])/.test(raw) && !/[\r\n]/.test(raw) ? raw : "/";
}
