// The smallest application the simulator can talk to: a Connection that proves the Twilio
// account from the header, and a `twilio` channel that writes down everything it is told.
import { Channel, Connection, defineApplication, z } from "../../../src/index.js";

export const ACCOUNT = "AC0123456789abcdef0123456789abcdef";
/** Subscriptions to this call are refused, to exercise reject_subscription. */
export const REJECTED_SID = "CA00000000000000000000000000000000";

export type CallEvent =
  | { kind: "connect"; header: string | undefined; accepted: boolean }
  | { kind: "subscribe"; identifier: string; sid: string }
  | { kind: "message"; identifier: string; sid: string; result: { id: string; text: string; final: boolean; event: string } }
  | { kind: "unsubscribed"; identifier: string; sid: string }
  | { kind: "disconnect"; account: string };

export const events: CallEvent[] = [];

export function eventsOf(sid: string): CallEvent[] {
  return events.filter((e) => "sid" in e && e.sid === sid);
}

const Identifiers = z.object({ account: z.string() });

class TwilioConnection extends Connection<z.infer<typeof Identifiers>> {
  static override identifiers = Identifiers;

  override connect(): void {
    const header = this.request.header("x-twilio-account");
    const accepted = header === ACCOUNT;
    events.push({ kind: "connect", header, accepted });
    if (!accepted) this.rejectUnauthorizedConnection("wrong Twilio account");
    this.identifiedBy({ account: header });
  }

  override disconnect(): void {
    events.push({ kind: "disconnect", account: this.identifiers.account });
  }
}

const Result = z.object({ id: z.string(), text: z.string(), final: z.boolean(), event: z.enum(["transcript", "error"]) });

class TwilioChannel extends Channel<{ sid: string }, TwilioConnection> {
  static override identifier = "twilio";
  static override params = z.object({ sid: z.string() });
  static override actions = { handle_message: z.object({ result: Result }) };

  override subscribed(): void {
    events.push({ kind: "subscribe", identifier: this.identifier, sid: this.params.sid });
    if (this.params.sid === REJECTED_SID) this.reject();
  }

  override unsubscribed(): void {
    events.push({ kind: "unsubscribed", identifier: this.identifier, sid: this.params.sid });
  }

  handle_message(data: { result: z.infer<typeof Result> }): void {
    events.push({ kind: "message", identifier: this.identifier, sid: this.params.sid, result: data.result });
  }
}

export default defineApplication({ connection: TwilioConnection, channels: [TwilioChannel] });
