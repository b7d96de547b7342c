import type { Hono } from "hono";
import type { DashboardDeps } from "../dashboard-deps.js";
import { SIGN_IN_PATH, safeNextPath } from "../access/require-sign-in.js";
import { endSession, startSession } from "../access/session.js";
import { layout } from "../../views/layout.js";
import { signInContent } from "../../views/sign-in-page.js";

/** GET/POST /sign-in and POST /sign-out; without a configured password they just lead home. */
export function signInRoutes(app: Hono, deps: DashboardDeps): void {
  const { access } = deps.config;
  const page = (next: string, error?: string): string =>
    layout({
      title: "Sign in · Call monitor",
      cableUrl: deps.config.cableUrl,
      scriptUrl: deps.scriptUrl,
      content: signInContent(next, error),
    }).toString();

  app.get(SIGN_IN_PATH, (c) => {
    if (access.password === undefined) return c.redirect("/", 303);
    return c.html(page(safeNextPath(c.req.query("next"))));
  });

  app.post(SIGN_IN_PATH, async (c) => {
    const { password } = access;
    if (password === undefined || !deps.passwords) return c.redirect("/", 303);
    const body = await c.req.parseBody();
    const next = safeNextPath(typeof body.next === "string" ? body.next : undefined);
    const verdict = deps.passwords.check(typeof body.password === "string" ? body.password : "");
    if (verdict.ok) {
      await startSession(c, access, password);
      deps.logger.info("dashboard: signed in");
      return c.redirect(next, 303);
    }
    deps.logger.warn({ throttled: verdict.throttled }, "dashboard: sign-in refused, wrong password");
    if (verdict.throttled) {
      c.header("Retry-After", String(verdict.retryAfterSeconds));
      return c.html(page(next, "Too many wrong passwords; wait a minute and try again."), 429);
    }
    return c.html(page(next, "That is not the dashboard password."), 401);
  });

  app.post("/sign-out", (c) => {
    endSession(c, access);
    return c.redirect(access.password === undefined ? "/" : SIGN_IN_PATH, 303);
  });
}
