import WebSocket from "ws";
import { waitFor, within } from "./wait.js";

export interface StreamSubscription {
  /** The session id from the welcome message (what meta.exclude_socket names). */
  sid: string | undefined;
  /** The `message` of every broadcast received for this subscription, in arrival order. */
  messages: unknown[];
  /** Every frame received, parsed, for failure messages. */
  frames: unknown[];
  waitForMessages(count: number, timeoutMs?: number): Promise<unknown[]>;
  close(): Promise<void>;
}

interface Frame {
  type?: string;
  sid?: string;
  identifier?: string;
  message?: unknown;
}

/**
 * A plain Action Cable protocol client subscribed to a public stream through anycable-go's
 * built-in `$pubsub` channel (needs --public or --public_streams; never reaches RPC).
 */
export async function subscribeToStream(port: number, stream: string, timeoutMs = 5_000): Promise<StreamSubscription> {
  const identifier = JSON.stringify({ channel: "$pubsub", stream_name: stream });
  const ws = new WebSocket(`ws://127.0.0.1:${port}/cable`, ["actioncable-v1-json"]);
  const frames: unknown[] = [];
  const messages: unknown[] = [];
  let welcomed = false;
  let sid: string | undefined;
  let confirmed = false;
  ws.on("message", (raw) => {
    const frame = JSON.parse(raw.toString()) as Frame;
    frames.push(frame);
    if (frame.type === "welcome") {
      welcomed = true;
      sid = frame.sid;
    }
    else if (frame.type === "confirm_subscription" && frame.identifier === identifier) confirmed = true;
    else if (frame.type === undefined && frame.identifier === identifier) messages.push(frame.message);
  });
  const closed = new Promise<void>((resolve) => ws.once("close", () => resolve()));
  const close = async () => {
    if (ws.readyState !== WebSocket.CLOSED) ws.terminate();
    await within("the WebSocket to close", closed, 2_000);
  };
  try {
    await within("the WebSocket to open", new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    }), timeoutMs);
    await waitFor("the welcome message", () => welcomed, timeoutMs);
    ws.send(JSON.stringify({ command: "subscribe", identifier }));
    await waitFor(`confirm_subscription for ${identifier}`, () => confirmed, timeoutMs);
  } catch (error) {
    await close().catch(() => undefined);
    throw new Error(`${(error as Error).message}; frames: ${JSON.stringify(frames)}`);
  }
  return {
    sid,
    messages,
    frames,
    async waitForMessages(count, waitMs = 5_000) {
      await waitFor(() => `${count} broadcast(s) on ${stream} (got ${messages.length}: ${JSON.stringify(messages)})`, () => messages.length >= count, waitMs);
      return messages;
    },
    close,
  };
}
