import { Connection, z } from "anycable-ts";
import { callSid } from "../calls/call-sid.js";
import type { BridgeCredentials } from "../credentials/bridge-credential.js";
import { AccountSidCheck } from "./account-sid-check.js";
import { BRIDGE_CREDENTIAL_HEADER, TWILIO_ACCOUNT_HEADER } from "./protocol.js";

export const callMonitorIdentifiers = z.discriminatedUnion("role", [
  z.strictObject({ role: z.literal("twilio"), callSid }),
  z.strictObject({ role: z.literal("viewer") }),
]);
export type CallMonitorIdentifiers = z.infer<typeof callMonitorIdentifiers>;

/**
 * Two kinds of client share /cable: the media-stream bridge speaking for one phone call, and
 * dashboard browsers, which send neither Twilio header and may only watch.
 *
 * A Twilio connection needs both headers: x-twilio-account naming the configured account (as the
 * original did) and the bridge credential, an HMAC only holders of the bridge secret can make,
 * bound to one CallSid and a few seconds. The account SID alone is public knowledge and proves
 * nothing. Either header present but not both valid is refused outright rather than demoted to a
 * viewer, so a misconfigured bridge fails loudly and a forger learns nothing.
 *
 * Use a subclass from createCallMonitorApplication(), which binds the account and the secret.
 */
export class CallMonitorConnection extends Connection<CallMonitorIdentifiers> {
  static override identifiers = callMonitorIdentifiers;
  /** Set by the application factory; the base class knows no account and refuses every stream. */
  static accountCheck = new AccountSidCheck(undefined);
  /** Set by the application factory from TWILIO_BRIDGE_SECRET / ANYCABLE_SECRET. */
  static bridgeCredentials: BridgeCredentials | undefined = undefined;

  override connect(): void {
    const claimed = this.request.header(TWILIO_ACCOUNT_HEADER);
    const credential = this.request.header(BRIDGE_CREDENTIAL_HEADER);
    if (claimed === undefined && credential === undefined) {
      this.identifiedBy({ role: "viewer" });
      return;
    }
    const { accountCheck, bridgeCredentials } = this.constructor as typeof CallMonitorConnection;
    const verdict = accountCheck.verify(claimed ?? "");
    if (verdict === "not-configured") {
      this.logger.warn("Twilio media stream refused: TWILIO_ACCOUNT_SID is not set, so no account can be verified");
      this.rejectUnauthorizedConnection("TWILIO_ACCOUNT_SID is not configured");
    }
    if (verdict === "mismatch") {
      // The claimed value is not logged: it may be someone's real account SID.
      this.logger.warn(
        { claimedLength: claimed?.length ?? 0 },
        `Twilio media stream refused: ${TWILIO_ACCOUNT_HEADER} does not match TWILIO_ACCOUNT_SID`,
      );
      this.rejectUnauthorizedConnection(`${TWILIO_ACCOUNT_HEADER} does not match the configured account`);
    }
    if (bridgeCredentials === undefined) {
      this.logger.warn(
        "Twilio media stream refused: neither TWILIO_BRIDGE_SECRET nor ANYCABLE_SECRET is set, so no bridge can be verified",
      );
      this.rejectUnauthorizedConnection("the bridge secret is not configured");
    }
    if (credential === undefined) {
      this.logger.warn(`Twilio media stream refused: the account header came without ${BRIDGE_CREDENTIAL_HEADER}`);
      this.rejectUnauthorizedConnection(`${BRIDGE_CREDENTIAL_HEADER} is required`);
    }
    const checked = bridgeCredentials.verify(credential);
    if (!checked.ok) {
      this.logger.warn({ reason: checked.reason }, `Twilio media stream refused: ${BRIDGE_CREDENTIAL_HEADER} is ${checked.reason}`);
      this.rejectUnauthorizedConnection(`${BRIDGE_CREDENTIAL_HEADER} is ${checked.reason}`);
    }
    this.identifiedBy({ role: "twilio", callSid: checked.callSid });
  }

  /** The call this connection proved it speaks for, or undefined for viewers. */
  get twilioCallSid(): string | undefined {
    return this.identified && this.identifiers.role === "twilio" ? this.identifiers.callSid : undefined;
  }

  /** True only for a connection that proved the account and the bridge credential at Connect. */
  get isTwilio(): boolean {
    return this.twilioCallSid !== undefined;
  }
}
