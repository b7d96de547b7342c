import { startTcpRelay } from "./tcp-relay.js";

/** HTTP/2 frame types this tap names (RFC 9113 §6). */
export const FRAME = { PING: 0x6, GOAWAY: 0x7 } as const;
const ACK = 0x1;
const PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");

export interface TappedFrame {
  /** "client" for frames the connecting side sent (anycable-go), "server" for the answers. */
  from: "client" | "server";
  type: number;
  ack: boolean;
  at: number;
}

export interface Http2FrameTap {
  port: number;
  readonly frames: readonly TappedFrame[];
  /** Resolves once `predicate` holds for the frames seen so far (checked on every new frame). */
  until(predicate: (frames: readonly TappedFrame[]) => boolean): Promise<void>;
  close(): Promise<void>;
}

/**
 * A TCP pass-through to a loopback HTTP/2 (cleartext) server that reads the frame headers going
 * each way, so a test can wait for, say, the client's keepalive PINGs and their ACKs as events
 * instead of sleeping for as long as they usually take. Bytes are forwarded untouched.
 */
export async function startHttp2FrameTap(targetPort: number): Promise<Http2FrameTap> {
  const frames: TappedFrame[] = [];
  const waiters = new Set<() => void>();

  const record = (frame: TappedFrame): void => {
    frames.push(frame);
    for (const check of waiters) check();
  };

  /** Parses frame headers out of one direction's byte stream. */
  const reader = (from: TappedFrame["from"]) => {
    let buffered = Buffer.alloc(0);
    let prefaceLeft = from === "client" ? PREFACE.length : 0;
    return (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      if (prefaceLeft > 0) {
        const skip = Math.min(prefaceLeft, buffered.length);
        buffered = buffered.subarray(skip);
        prefaceLeft -= skip;
      }
      while (buffered.length >= 9) {
        const length = buffered.readUIntBE(0, 3);
        if (buffered.length < 9 + length) break;
        record({ from, type: buffered[3]!, ack: (buffered[4]! & ACK) !== 0, at: Date.now() });
        buffered = buffered.subarray(9 + length);
      }
    };
  };

  const relay = await startTcpRelay(targetPort, {
    wire(client, upstream) {
      client.on("data", reader("client"));
      upstream.on("data", reader("server"));
      client.pipe(upstream);
      upstream.pipe(client);
    },
  });

  return {
    port: relay.port,
    frames,
    until(predicate) {
      return new Promise((resolve) => {
        const check = (): void => {
          if (!predicate(frames)) return;
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
        check();
      });
    },
    close: () => relay.close(),
  };
}
