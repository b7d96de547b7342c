import type { Hono } from "hono";
import { isCallSid } from "../../call-sid.js";
import type { DashboardDeps } from "../dashboard-deps.js";
import { eventsOrNone, renderPage } from "../render-page.js";
import { callContent, currentCallStyle } from "../views/call-page.js";
import { homeContent } from "../views/home-page.js";
import { notFoundContent } from "../views/not-found-page.js";

export function pageRoutes(app: Hono, deps: DashboardDeps): void {
  app.get("/", (c) => renderPage(c, deps, { title: "Live calls · Call monitor", content: homeContent() }));

  app.get("/calls/:sid", async (c) => {
    const sid = c.req.param("sid");
    if (!isCallSid(sid)) {
      return renderPage(c, deps, {
        title: "Not found · Call monitor",
        content: notFoundContent("That is not a Twilio call SID (CA followed by 32 lower-case hex digits)."),
        status: 404,
      });
    }
    const events = await eventsOrNone(deps, sid);
    return renderPage(c, deps, {
      title: `Call ${sid.slice(0, 10)}… · Call monitor`,
      head: currentCallStyle(sid),
      content: callContent(sid, events, deps.config.cableReadySecret),
    });
  });
}
