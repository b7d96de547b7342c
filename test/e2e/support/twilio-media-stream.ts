import { BRIDGE_CREDENTIAL_HEADER } from "../../../channels/cable/protocol.js";
import { BridgeCredentials } from "../../../channels/credentials/bridge-credential.js";
import { connectCable, type CableClient, type ChannelSubscription } from "../../support/index.js";
import { ACCOUNT_SID, BRIDGE_SECRET } from "./call-monitor-stack.js";

/**
 * What the media-stream bridge does over Action Cable, through the real anycable-go, driven by
 * hand so a test chooses every transcript (bridge-call.test.ts runs the bridge itself). It holds
 * the bridge secret, as the bridge does.
 */
export interface TwilioMediaStream {
  readonly client: CableClient;
  readonly call: ChannelSubscription;
  transcript(id: string, text: string, final: boolean): Promise<void>;
  recognizerError(text: string): Promise<void>;
  /** Closes the socket; anycable-go sends Disconnect, which runs the channel's unsubscribed. */
  hangUp(): Promise<void>;
}

export async function openTwilioMediaStream(cableUrl: string, sid: string, account = ACCOUNT_SID): Promise<TwilioMediaStream> {
  const credential = new BridgeCredentials(BRIDGE_SECRET).issue(sid);
  const client = await connectCable(cableUrl, { headers: { "x-twilio-account": account, [BRIDGE_CREDENTIAL_HEADER]: credential } });
  const call = await client.subscribe("twilio", { sid });
  return {
    client,
    call,
    transcript: (id, text, final) => call.perform("handle_message", { result: { id, text, final, event: "transcript" } }),
    recognizerError: (text) => call.perform("handle_message", { result: { id: "", text, final: false, event: "error" } }),
    hangUp: () => client.close(),
  };
}
