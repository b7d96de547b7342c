import type { Hono } from "hono";
import { isCallSid } from "../../calls/call-sid.js";
import type { DashboardDeps } from "../dashboard-deps.js";
import { liveCallsOrNone, renderPage, snapshotOrNone } from "../render-page.js";
import { callContent, currentCallStyle, timelineHtml } from "../../views/call-page.js";
import { callListItemHtml } from "../../views/call-list-item.js";
import { homeContent } from "../../views/home-page.js";
import { notFoundContent } from "../../views/not-found-page.js";

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
    const snapshot = await snapshotOrNone(deps, sid);
    return renderPage(c, deps, {
      title: `Call ${sid.slice(0, 10)}… · Call monitor`,
      head: currentCallStyle(sid),
      content: callContent(sid, snapshot, deps.config.cableReadySecret),
    });
  });

  // What open pages reload a container from when they may have missed live updates.
  app.get("/calls/:sid/events", async (c) => {
    const sid = c.req.param("sid");
    if (!isCallSid(sid)) return c.text("Not a Twilio call SID", 404);
    const snapshot = await snapshotOrNone(deps, sid);
    if (!snapshot) return c.text("Call registry unavailable", 503);
    c.header("Cache-Control", "no-store");
    c.header("X-Timeline-Seq", String(snapshot.seq));
    return c.html(timelineHtml(snapshot.events).toString());
  });

  app.get("/live-calls", async (c) => {
    c.header("Cache-Control", "no-store");
    const calls = await liveCallsOrNone(deps);
    return c.html(calls.map((call) => callListItemHtml(call.sid, call.startedAt).toString()).join(""));
  });
}
