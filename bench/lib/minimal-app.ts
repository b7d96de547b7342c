// The call channel's shape with no work behind it: same identifiers, same channel name and
// params, same action, but no registry, no rendering, no broadcast, no logging. Run on our
// server, it shows what the framework itself costs per call next to a bare grpc-js server.
import { Channel, Connection, defineApplication, z } from "anycable-ts";
import { CALL_SID_PATTERN } from "../../channels/call-sid.js";

const identifiers = z.strictObject({ role: z.enum(["twilio", "viewer"]) });

class MinimalConnection extends Connection<z.infer<typeof identifiers>> {
  static override identifiers = identifiers;

  override connect(): void {
    this.identifiedBy({ role: this.request.header("x-twilio-account") === undefined ? "viewer" : "twilio" });
  }
}

class MinimalCallChannel extends Channel<{ sid: string }, MinimalConnection> {
  static override identifier = "twilio";
  static override params = z.strictObject({ sid: z.string().regex(CALL_SID_PATTERN) });
  static override actions = { handle_message: z.object({ result: z.object({}).loose() }) };

  handle_message(): void {}
}

export default defineApplication({ connection: MinimalConnection, channels: [MinimalCallChannel] });
