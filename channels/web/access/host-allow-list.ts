import type { MiddlewareHandler } from "hono";
import type { Logger } from "../../../src/index.js";
import { LogThrottle } from "../../limits/log-throttle.js";

/**
 * Refuses requests naming a host this dashboard is not known by. A DNS-rebinding page points its
 * own name at our address: its requests then carry `Host: evil.example` and a matching Origin, so
 * they look same-origin to the browser and to an Origin check that trusts Host. The allow-list
 * comes from configuration (PUBLIC_URL, HOST, DASHBOARD_ALLOWED_HOSTS), never from the request.
 */
export function hostAllowList(allowed: ReadonlySet<string>, logger: Logger, exempt: readonly string[]): MiddlewareHandler {
  // A scanner sends thousands; one line per host every 10 s says enough.
  const warnings = new LogThrottle(10_000);
  return async (c, next) => {
    if (exempt.includes(c.req.path)) return next();
    const host = hostnameOf(c.req.header("host") ?? new URL(c.req.url).host);
    if (host === undefined || !allowed.has(host)) {
      if (warnings.shouldLog(host ?? ""))
        logger.warn(
          { host: c.req.header("host")?.slice(0, 200), path: c.req.path },
          "dashboard request refused: Host is not one of this dashboard's names",
        );
      return c.text("Unknown host. Set PUBLIC_URL (or DASHBOARD_ALLOWED_HOSTS) to the name browsers use.", 421);
    }
    return next();
  };
}

function hostnameOf(host: string): string | undefined {
  try {
    return new URL(`http://${host}`).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}
