import { ChannelRefusal } from "anycable-ts";

/**
 * A client that did not prove the Twilio account tried to act as a call. A ChannelRefusal, so the
 * RPC layer answers ERROR with this message and logs a warning rather than a stack trace.
 */
export class TwilioConnectionRequired extends ChannelRefusal {
  override name = "TwilioConnectionRequired";

  constructor(action: string) {
    super(`twilio#${action} is only for Twilio media streams; this connection did not present the Twilio account`);
  }
}
