// The call channel's shape with no work behind it: same identifiers, same channel name and
// params, same action, but no registry, no rendering, no broadcast, no logging. Run on our
// server, it shows what the framework itself costs per call next to a bare grpc-js server.
import { Channel, Connection, defineApplication, z } from "anycable-ts";
import { BRIDGE_CREDENTIAL_HEADER, TWILIO_CHANNEL } from "../../channels/cable/protocol.js";
import { CALL_SID_PATTERN } from "../../channels/calls/call-sid.js";

const identifiers = z.discriminatedUnion("role", [
  z.strictObject({ role: z.literal("twilio"), callSid: z.string() }),
  z.strictObject({ role: z.literal("viewer") }),
]);

class MinimalConnection extends Connection<z.infer<typeof identifiers>> {
  static override identifiers = identifiers;

  override connect(): void {
    // The same identifiers as the real app (the CallSid from the credential), without checking anything.
    const callSid = this.request.header(BRIDGE_CREDENTIAL_HEADER)?.split(".")[1];
    this.identifiedBy(callSid === undefined ? { role: "viewer" } : { role: "twilio", callSid });
  }
}

class MinimalCallChannel extends Channel<{ sid: string }, MinimalConnection> {
  static override identifier = TWILIO_CHANNEL;
  static override params = z.strictObject({ sid: z.string().regex(CALL_SID_PATTERN) });
  static override actions = { handle_message: z.object({ result: z.object({}).loose() }) };

  handle_message(): void {}
}

export default defineApplication({ connection: MinimalConnection, channels: [MinimalCallChannel] });
