// The call channel written the way an @anycable/serverless-js user would write it: the same
// account check, the same SID and transcript validation, the same registry and Cable Ready feed
// as channels/, so what differs from ours is the framework and the RPC transport (JSON over
// HTTP/1.1 instead of protobuf over one HTTP/2 connection).
import { Application, Channel, type ChannelHandle, type ConnectionHandle } from "@anycable/serverless-js";
import type { Broadcaster, Logger } from "anycable-ts";
import { isCallSid } from "../../channels/calls/call-sid.js";
import { handleMessageData } from "../../channels/cable/recognition-result.js";
import { AccountSidCheck } from "../../channels/cable/account-sid-check.js";
import { BRIDGE_CREDENTIAL_HEADER, TWILIO_ACCOUNT_HEADER, TWILIO_CHANNEL } from "../../channels/cable/protocol.js";
import { BridgeCredentials } from "../../channels/credentials/bridge-credential.js";
import { transcriptEvent } from "../../channels/calls/call-event.js";
import { CallFeed } from "../../channels/feed/call-feed.js";
import { MemoryCallRegistry } from "../../channels/calls/memory-call-registry.js";

type Identifiers = { role: "twilio"; callSid: string } | { role: "viewer" };
type CallParams = { sid: string };

export function createPeerApplication(options: {
  accountSid: string;
  bridgeSecret: string;
  broadcaster: Broadcaster;
  logger: Logger;
}): Application<Identifiers> {
  const accountCheck = new AccountSidCheck(options.accountSid);
  const credentials = new BridgeCredentials(options.bridgeSecret);
  const feed = new CallFeed({ registry: new MemoryCallRegistry(), broadcaster: options.broadcaster, logger: options.logger });
  const logger = options.logger;

  class CallMonitorApplication extends Application<Identifiers> {
    override async connect(handle: ConnectionHandle<Identifiers>): Promise<void> {
      const claimed = handle.env.headers?.[TWILIO_ACCOUNT_HEADER];
      const credential = handle.env.headers?.[BRIDGE_CREDENTIAL_HEADER];
      if (claimed === undefined && credential === undefined) {
        handle.identifiedBy({ role: "viewer" });
        return;
      }
      const checked = credential === undefined ? undefined : credentials.verify(credential);
      if (accountCheck.verify(claimed ?? "") !== "match" || !checked?.ok) {
        logger.warn({ claimedLength: claimed?.length ?? 0 }, "Twilio media stream refused");
        handle.reject();
        return;
      }
      handle.identifiedBy({ role: "twilio", callSid: checked.callSid });
    }
  }

  class TwilioChannel extends Channel<Identifiers, CallParams> {
    override async subscribed(handle: ChannelHandle<Identifiers>, params: CallParams | null): Promise<void> {
      if (!params || !isCallSid(params.sid) || handle.identifiers?.role !== "twilio" || handle.identifiers.callSid !== params.sid) {
        handle.reject();
        return;
      }
      if (!(await feed.callStarted(params.sid))) {
        handle.reject();
        return;
      }
      logger.info({ callSid: params.sid }, "call started");
    }

    override async unsubscribed(handle: ChannelHandle<Identifiers>, params: CallParams | null): Promise<void> {
      if (!params || !isCallSid(params.sid) || handle.identifiers?.role !== "twilio" || handle.identifiers.callSid !== params.sid) return;
      logger.info({ callSid: params.sid }, "call stopped");
      await feed.callStopped(params.sid);
    }

    async handle_message(handle: ChannelHandle<Identifiers>, params: CallParams, payload: unknown): Promise<void> {
      if (handle.identifiers?.role !== "twilio" || handle.identifiers.callSid !== params.sid)
        throw new Error("handle_message needs the bridge's connection for this call");
      const { result } = handleMessageData.parse(payload);
      if (result.event === "error") return;
      if (result.text.trim() === "") return;
      await feed.eventHappened(params.sid, transcriptEvent(result.id, result.text, result.final));
    }
  }

  const app = new CallMonitorApplication();
  app.registerChannel(TWILIO_CHANNEL, new TwilioChannel());
  return app;
}
