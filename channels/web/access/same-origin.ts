import type { MiddlewareHandler } from "hono";
import type { Logger } from "anycable-ts";
import { isLoopbackHost, type DashboardAccess } from "../dashboard-config.js";
import { LogThrottle } from "../../limits/log-throttle.js";

/**
 * State-changing requests from a browser must come from the dashboard's own configured origin.
 * Browsers send Origin on every POST; a request without Origin and without Sec-Fetch-Site is a
 * script (curl, monitoring), which still has to sign in with HTTP Basic. The request's own Host is
 * never trusted to say what "same origin" is.
 */
export function sameOriginOnly(access: DashboardAccess, logger: Logger): MiddlewareHandler {
  const allowed = (origin: string, requestUrl: string): boolean => {
    if (access.allowedOrigins.has(origin)) return true;
    if (!access.acceptLoopbackOrigin) return false;
    const own = new URL(requestUrl);
    return origin === own.origin && isLoopbackHost(own.hostname);
  };
  const warnings = new LogThrottle(10_000);
  return async (c, next) => {
    const origin = c.req.header("origin");
    const fetchSite = c.req.header("sec-fetch-site");
    const fromBrowser = origin !== undefined || fetchSite !== undefined;
    if (fromBrowser && (origin === undefined || !allowed(origin, c.req.url))) {
      if (warnings.shouldLog(origin ?? ""))
        logger.warn(
          { origin: origin?.slice(0, 200), fetchSite, path: c.req.path },
          "dashboard request refused: not from the dashboard's origin",
        );
      return c.text("Forbidden: this form must be sent from the dashboard's own page.", 403);
    }
    return next();
  };
}
