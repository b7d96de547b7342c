import { defineApplication, type Application, type Logger } from "anycable-ts";
import { TwilioCallChannel } from "./twilio-call-channel.js";
import { loadTwilioAccountSid } from "../config/twilio-account.js";
import { AccountSidCheck } from "./account-sid-check.js";
import { BridgeCredentials } from "../credentials/bridge-credential.js";
import { loadBridgeSecret } from "../credentials/bridge-secret.js";
import { CallMonitorConnection } from "./call-monitor-connection.js";
import type { CallRegistry } from "../calls/call-registry.js";
import { KeyedRateLimit } from "../limits/keyed-rate-limit.js";
import { loadTranscriptRate } from "../config/transcript-rate.js";

export interface CallMonitorApplicationOptions {
  env: NodeJS.ProcessEnv;
  logger: Logger;
  /** Shared with the dashboard when both run in one process (see web/server.ts). */
  registry: CallRegistry;
}

/**
 * The RPC half of the call monitor. The framework instantiates connection and channel classes
 * itself, so this process's configuration travels as static fields of per-application subclasses
 * rather than constructor arguments; two applications built here never share settings.
 * Throws ConfigError when TWILIO_ACCOUNT_SID is set but malformed, or the bridge secret is too short.
 */
export function createCallMonitorApplication(options: CallMonitorApplicationOptions): Application {
  const sid = loadTwilioAccountSid(options.env);
  if (sid === undefined) {
    options.logger.warn("TWILIO_ACCOUNT_SID is not set: every Twilio media stream connection will be refused (dashboards still connect)");
  }
  const secret = loadBridgeSecret(options.env);
  if (secret === undefined) {
    options.logger.warn(
      "neither TWILIO_BRIDGE_SECRET nor ANYCABLE_SECRET is set: every Twilio media stream connection will be refused (dashboards still connect)",
    );
  }
  const accountCheck = new AccountSidCheck(sid);
  const bridgeCredentials = secret === undefined ? undefined : new BridgeCredentials(secret);
  const { registry } = options;

  class CallConnection extends CallMonitorConnection {
    static override accountCheck = accountCheck;
    static override bridgeCredentials = bridgeCredentials;
  }
  const transcriptsPerSecond = loadTranscriptRate(options.env);
  class CallChannel extends TwilioCallChannel {
    static override registry: CallRegistry | undefined = registry;
    static override transcriptLimit = new KeyedRateLimit({ limit: transcriptsPerSecond, intervalMs: 1_000 });
  }
  return defineApplication({ connection: CallConnection, channels: [CallChannel] });
}
