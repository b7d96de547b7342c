import type { Context } from "hono";
import { html, type SafeHtml } from "anycable-ts";
import type { LiveCall, TimelineSnapshot } from "../calls/call-registry.js";
import type { DashboardDeps } from "./dashboard-deps.js";
import type { CallFormState } from "../views/call-form.js";
import { layout } from "../views/layout.js";
import { sidebar } from "../views/sidebar.js";

export function formState(deps: DashboardDeps, overrides: { to?: string; error?: string } = {}): CallFormState {
  return deps.twilio.enabled ? { enabled: true, ...overrides } : { enabled: false, reasons: deps.twilio.reasons };
}

/** The registry is a convenience for page loads: if it is down, pages render without it. */
export async function liveCallsOrNone(deps: DashboardDeps): Promise<LiveCall[]> {
  try {
    return await deps.registry.liveCalls();
  } catch (error) {
    deps.logger.error({ err: error }, "call registry unavailable: rendering the page without the live call list");
    return [];
  }
}

export async function snapshotOrNone(deps: DashboardDeps, sid: string): Promise<TimelineSnapshot | undefined> {
  try {
    return await deps.registry.snapshot(sid);
  } catch (error) {
    deps.logger.error({ err: error, callSid: sid }, "call registry unavailable: rendering the call without its earlier events");
    return undefined;
  }
}

export interface PageParts {
  title: string;
  content: SafeHtml;
  head?: SafeHtml;
  form?: CallFormState;
  status?: 200 | 404 | 422 | 429 | 502;
}

/** A full page: the live call list and call form on the left, `content` on the right. */
export async function renderPage(c: Context, deps: DashboardDeps, parts: PageParts): Promise<Response> {
  const calls = await liveCallsOrNone(deps);
  const page = layout({
    title: parts.title,
    cableUrl: deps.config.cableUrl,
    scriptUrl: deps.scriptUrl,
    ...(parts.head ? { head: parts.head } : {}),
    content: html`${sidebar(calls, parts.form ?? formState(deps), deps.config.cableReadySecret)}${parts.content}`,
  });
  return c.html(page.toString(), parts.status ?? 200);
}
