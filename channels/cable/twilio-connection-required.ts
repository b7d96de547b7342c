import { ChannelRefusal } from "anycable-ts";

/**
 * A client that is not the bridge's connection for this call tried to act as it. A ChannelRefusal, so the
 * RPC layer answers ERROR with this message and logs a warning rather than a stack trace.
 */
export class TwilioConnectionRequired extends ChannelRefusal {
  override name = "TwilioConnectionRequired";

  constructor(action: string) {
    super(`twilio#${action} is only for Twilio media streams; this connection is not the bridge's connection for this call`);
  }
}
