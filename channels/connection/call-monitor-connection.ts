import { Connection, z } from "anycable-ts";
import { AccountSidCheck } from "./account-sid-check.js";

/** The header a Twilio media stream bridge sets on its WebSocket (anycable-go --headers must list it). */
export const TWILIO_ACCOUNT_HEADER = "x-twilio-account";

export const callMonitorIdentifiers = z.discriminatedUnion("role", [
  z.strictObject({ role: z.literal("twilio") }),
  z.strictObject({ role: z.literal("viewer") }),
]);
export type CallMonitorIdentifiers = z.infer<typeof callMonitorIdentifiers>;

/**
 * Two kinds of client share /cable: Twilio media streams, which prove the account with the
 * x-twilio-account header, and dashboard browsers, which send no such header and may only watch.
 * A header that is present but wrong — empty, other case, padded, a prefix — is refused outright
 * rather than demoted to a viewer, so a misconfigured bridge fails loudly.
 *
 * Use a subclass from createCallMonitorApplication(), which binds the configured account.
 */
export class CallMonitorConnection extends Connection<CallMonitorIdentifiers> {
  static override identifiers = callMonitorIdentifiers;
  /** Set by the application factory; the base class knows no account and refuses every stream. */
  static accountCheck = new AccountSidCheck(undefined);

  override connect(): void {
    const claimed = this.request.header(TWILIO_ACCOUNT_HEADER);
    if (claimed === undefined) {
      this.identifiedBy({ role: "viewer" });
      return;
    }
    const verdict = (this.constructor as typeof CallMonitorConnection).accountCheck.verify(claimed);
    if (verdict === "not-configured") {
      this.logger.warn("Twilio media stream refused: TWILIO_ACCOUNT_SID is not set, so no account can be verified");
      this.rejectUnauthorizedConnection("TWILIO_ACCOUNT_SID is not configured");
    }
    if (verdict === "mismatch") {
      // The claimed value is not logged: it may be someone's real account SID.
      this.logger.warn(
        { claimedLength: claimed.length },
        "Twilio media stream refused: x-twilio-account does not match TWILIO_ACCOUNT_SID",
      );
      this.rejectUnauthorizedConnection("x-twilio-account does not match the configured account");
    }
    this.identifiedBy({ role: "twilio" });
  }

  /** True only for a connection that proved the Twilio account at Connect. */
  get isTwilio(): boolean {
    return this.identified && this.identifiers.role === "twilio";
  }
}
