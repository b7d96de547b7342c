import type { Hono } from "hono";
import { z } from "anycable-ts";
import { checkDestination } from "../../twilio/destination-policy.js";
import { homeContent } from "../../views/home-page.js";
import type { DashboardDeps } from "../dashboard-deps.js";
import { formState, renderPage } from "../render-page.js";

// People type numbers with spaces, dashes, dots and brackets; Twilio wants bare E.164.
const phoneNumber = z
  .string()
  .transform((raw) => raw.replace(/[\s().-]/g, ""))
  .pipe(z.e164({ error: "Enter the number in international format: + then country code and number, e.g. +15551234567." }));

const callForm = z.object({ to: z.string().max(64).default("").pipe(phoneNumber) });

/**
 * POST /calls: places a call and sends the browser to its page. Anything that goes wrong — a bad
 * number, Twilio refusing, Twilio unreachable — comes back as the form with the reason, never as a
 * server error. A call costs money, so before this runs the request has been signed in and checked
 * to come from the dashboard's own origin (server.ts); here the number must be an allowed
 * destination and the process-wide rate of calls must allow one more.
 */
export function placeCallRoute(app: Hono, deps: DashboardDeps): void {
  app.post("/calls", async (c) => {
    const body = await c.req.parseBody();
    const submitted = typeof body.to === "string" ? body.to : "";
    const title = "Place a call · Call monitor";
    if (!deps.placer) {
      return renderPage(c, deps, { title, content: homeContent(), status: 422 });
    }
    const parsed = callForm.safeParse({ to: submitted });
    if (!parsed.success) {
      const error = parsed.error.issues[0]?.message ?? "That phone number is not valid.";
      return renderPage(c, deps, { title, content: homeContent(), form: formState(deps, { to: submitted, error }), status: 422 });
    }
    const destination = checkDestination(deps.config.destinations, parsed.data.to);
    if (!destination.ok) {
      deps.logger.warn({ to: parsed.data.to }, `placing a call refused: ${destination.reason}`);
      return renderPage(c, deps, {
        title,
        content: homeContent(),
        form: formState(deps, { to: submitted, error: destination.reason }),
        status: 422,
      });
    }
    const allowed = deps.callRate.take();
    if (!allowed.ok) {
      deps.logger.warn(
        { perMinute: deps.config.callsPerMinute },
        "placing a call refused: rate limit reached (DASHBOARD_CALLS_PER_MINUTE)",
      );
      c.header("Retry-After", String(allowed.retryAfterSeconds));
      const error = `Too many calls: at most ${deps.config.callsPerMinute} a minute. Try again in ${allowed.retryAfterSeconds} s.`;
      return renderPage(c, deps, { title, content: homeContent(), form: formState(deps, { to: submitted, error }), status: 429 });
    }
    const result = await deps.placer.place(parsed.data.to);
    if (!result.ok) {
      return renderPage(c, deps, {
        title,
        content: homeContent(),
        form: formState(deps, { to: submitted, error: result.message }),
        status: 502,
      });
    }
    return c.redirect(`/calls/${result.sid}`, 303);
  });
}
