import { connectCable, type CableClient, type ChannelSubscription } from "../../support/index.js";
import { ACCOUNT_SID } from "./call-monitor-stack.js";

/** What a Twilio media stream bridge does over Action Cable, through the real anycable-go. */
export interface TwilioMediaStream {
  readonly client: CableClient;
  readonly call: ChannelSubscription;
  transcript(id: string, text: string, final: boolean): Promise<void>;
  recognizerError(text: string): Promise<void>;
  /** Closes the socket; anycable-go sends Disconnect, which runs the channel's unsubscribed. */
  hangUp(): Promise<void>;
}

export async function openTwilioMediaStream(cableUrl: string, sid: string, account = ACCOUNT_SID): Promise<TwilioMediaStream> {
  const client = await connectCable(cableUrl, { headers: { "x-twilio-account": account } });
  const call = await client.subscribe("twilio", { sid });
  return {
    client,
    call,
    transcript: (id, text, final) => call.perform("handle_message", { result: { id, text, final, event: "transcript" } }),
    recognizerError: (text) => call.perform("handle_message", { result: { id: "", text, final: false, event: "error" } }),
    hangUp: () => client.close(),
  };
}
