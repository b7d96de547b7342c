import type { Logger } from "anycable-ts";
import type { DashboardConfig } from "./dashboard-config.js";
import type { TwilioRestSetup } from "../config/twilio-rest-config.js";
import type { CallFeed } from "../feed/call-feed.js";
import type { CallRegistry } from "../calls/call-registry.js";
import type { CallPlacer } from "../twilio/call-placer.js";
import type { PasswordCheck } from "./access/password-check.js";
import type { RateLimit } from "../limits/rate-limit.js";

/** What the dashboard's routes share. */
export interface DashboardDeps {
  config: DashboardConfig;
  logger: Logger;
  registry: CallRegistry;
  feed: CallFeed;
  twilio: TwilioRestSetup;
  /** Present when Twilio is configured. */
  placer: CallPlacer | undefined;
  /** Verifies status webhooks; may be set while placing calls is disabled for another reason. */
  authToken: string | undefined;
  /** Checks the dashboard password; undefined when none is configured (loopback-only dashboard). */
  passwords: PasswordCheck | undefined;
  /** Calls placed from the dashboard, per minute, for the whole process. */
  callRate: RateLimit;
  /** URL of the client bundle, versioned by content. */
  scriptUrl: string;
}
