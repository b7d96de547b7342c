// The Action Cable frames a phone call produces, byte for byte as the application's RPC side
// receives them. Objects are built field by field because key order is part of the contract:
// the identifier string is echoed verbatim by anycable-go and compared by the application.
import { randomBytes } from "node:crypto";

/** Header anycable-go must forward (`--headers=cookie,x-twilio-account`) so Connect can check the account. */
export const ACCOUNT_HEADER = "x-twilio-account";
export const TWILIO_CHANNEL = "twilio";
export const HANDLE_MESSAGE = "handle_message";

export interface TranscriptResult {
  /** Stable for one utterance: partials repeat it until the final result; "" for errors. */
  id: string;
  text: string;
  final: boolean;
  event: "transcript" | "error";
}

export function transcript(id: string, text: string, final: boolean): TranscriptResult {
  return { id, text, final, event: "transcript" };
}

/** A recogniser failure, shaped like the original streamer reported them. */
export function recognitionError(message: string): TranscriptResult {
  return { id: "", text: message, final: false, event: "error" };
}

export function generateCallSid(): string {
  return `CA${randomBytes(16).toString("hex")}`;
}

export function channelIdentifier(callSid: string): string {
  return JSON.stringify({ channel: TWILIO_CHANNEL, sid: callSid });
}

export function subscribeFrame(identifier: string): string {
  return JSON.stringify({ command: "subscribe", identifier });
}

export function handleMessageData(result: TranscriptResult): string {
  return JSON.stringify({
    action: HANDLE_MESSAGE,
    result: { id: result.id, text: result.text, final: result.final, event: result.event },
  });
}

export function performFrame(identifier: string, result: TranscriptResult): string {
  return JSON.stringify({ command: "message", identifier, data: handleMessageData(result) });
}
