import type { Hono } from "hono";
import { FINAL_CALL_STATUSES, callStatusEvent } from "../../twilio/call-status.js";
import { isSignedByTwilio, staleness, statusCallbackParams } from "../../twilio/status-webhook.js";
import { TWILIO_SIGNATURE_HEADER } from "../../twilio/signature-header.js";
import type { DashboardDeps } from "../dashboard-deps.js";

/**
 * POST /twilio/status: Twilio's call status callbacks. Only signed ones are believed; each status
 * becomes an entry in the call's timeline, and a final one takes the call off the live list in
 * case its media stream never said goodbye. A signed callback can be captured and sent again, so
 * each must be fresh (Timestamp) and newer than every one accepted for its call (SequenceNumber):
 * a replayed or late `completed` must not end a live call.
 */
export function twilioStatusRoute(app: Hono, deps: DashboardDeps): void {
  app.post("/twilio/status", async (c) => {
    if (!deps.authToken) {
      deps.logger.warn("Twilio status webhook refused: TWILIO_AUTH_TOKEN is not set, so its signature cannot be checked");
      return c.text("Forbidden", 403);
    }
    const body = await c.req.parseBody();
    const params: Record<string, string> = {};
    for (const [name, value] of Object.entries(body)) if (typeof value === "string") params[name] = value;
    const url = new URL(c.req.url);
    const publicUrl = `${deps.config.publicUrl}${url.pathname}${url.search}`;
    if (!isSignedByTwilio(deps.authToken, c.req.header(TWILIO_SIGNATURE_HEADER), publicUrl, params)) {
      deps.logger.warn(
        { url: publicUrl },
        "Twilio status webhook refused: bad or missing X-Twilio-Signature (is PUBLIC_URL the URL Twilio calls?)",
      );
      return c.text("Forbidden", 403);
    }
    const parsed = statusCallbackParams.safeParse(params);
    if (!parsed.success) {
      deps.logger.warn({ issues: parsed.error.issues.map((i) => i.message) }, "Twilio status webhook ignored: unexpected parameters");
      return c.text("Bad Request", 400);
    }
    const { CallSid: sid, CallStatus: status, SequenceNumber: sequence, Timestamp: timestamp } = parsed.data;
    const stale = staleness(timestamp);
    if (stale) {
      deps.logger.warn({ callSid: sid, status, sequence }, `Twilio status webhook refused: ${stale} (a replay, or a clock far off)`);
      return c.text("Conflict: stale status callback", 409);
    }
    let fresh: boolean;
    try {
      fresh = await deps.registry.claimStatusSequence(sid, sequence);
    } catch (error) {
      // Without the registry a replay cannot be told apart; Twilio retries a failed callback.
      deps.logger.error({ err: error, callSid: sid }, "Twilio status webhook not processed: call registry unavailable");
      return c.text("Service Unavailable", 503);
    }
    if (!fresh) {
      deps.logger.warn({ callSid: sid, status, sequence }, "Twilio status webhook refused: replayed or older than one already processed");
      return c.text("Conflict: replayed or out-of-date status callback", 409);
    }
    deps.logger.info({ callSid: sid, status, sequence }, "Twilio call status");
    const event = callStatusEvent(status);
    if (FINAL_CALL_STATUSES.has(status)) await deps.feed.callEnded(sid, event);
    else await deps.feed.eventHappened(sid, event);
    return c.body(null, 204);
  });
}
