import type { Hono } from "hono";
import { csrf } from "hono/csrf";
import { z } from "anycable-ts";
import { homeContent } from "../views/home-page.js";
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
 * server error. Cross-site posts are refused (hono/csrf): a call costs money.
 */
export function placeCallRoute(app: Hono, deps: DashboardDeps): void {
  const allowedOrigins = new Set([new URL(deps.config.publicUrl).origin]);
  app.post("/calls", csrf({ origin: (origin, c) => origin === new URL(c.req.url).origin || allowedOrigins.has(origin) }), async (c) => {
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
