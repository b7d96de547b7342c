// Action Cable clients for the broadcast benchmarks: plain `ws` sockets subscribed to one
// `$pubsub` stream (anycable-go --public), opened in a sliding wave so the listen backlog never
// overflows. What a socket does with its broadcasts is the caller's.
import WebSocket from "ws";

export interface SubscriberOptions {
  url: string;
  subscribers: number;
  stream: string;
  /** Handshakes in flight at once. */
  wave?: number;
  timeoutMs?: number;
}

/**
 * Opens `subscribers` sockets, each subscribed to `stream`; resolves once every subscription is
 * confirmed. Frames after the confirmation go to `onFrame` with the socket's index.
 */
export function connectSubscribers(options: SubscriberOptions, onFrame: (index: number, data: Buffer) => void): Promise<WebSocket[]> {
  const identifier = JSON.stringify({ channel: "$pubsub", stream_name: options.stream });
  const timeoutMs = options.timeoutMs ?? 60_000;
  const sockets: WebSocket[] = [];
  let confirmed = 0;
  return new Promise<WebSocket[]>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`only ${confirmed}/${options.subscribers} subscribers confirmed within ${timeoutMs / 1000} s`)),
      timeoutMs,
    );
    const open = (): void => {
      const index = sockets.length;
      const ws = new WebSocket(options.url, "actioncable-v1-json", { perMessageDeflate: false });
      sockets.push(ws);
      let subscribed = false;
      ws.on("message", (data: Buffer) => {
        if (subscribed) return onFrame(index, data);
        const text = data.toString();
        if (text.includes('"welcome"')) ws.send(JSON.stringify({ command: "subscribe", identifier }));
        else if (text.includes('"confirm_subscription"')) {
          subscribed = true;
          confirmed++;
          if (confirmed === options.subscribers) {
            clearTimeout(timer);
            resolve(sockets);
          } else if (sockets.length < options.subscribers) open();
        }
      });
      ws.on("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
    };
    while (sockets.length < Math.min(options.wave ?? 200, options.subscribers)) open();
  });
}
