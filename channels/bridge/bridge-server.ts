// The media-stream bridge: a WebSocket server Twilio opens call audio to, which speaks Action Cable
// to anycable-go on each call's behalf (see MediaStreamSession).
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import twilio from "twilio";
import { WebSocketServer } from "ws";
import type { Logger } from "anycable-ts";
import { AccountSidCheck } from "../cable/account-sid-check.js";
import { BridgeCredentials } from "../credentials/bridge-credential.js";
import { StreamTokens } from "../credentials/stream-token.js";
import { TWILIO_SIGNATURE_HEADER } from "../twilio/signature-header.js";
import type { Recognizer } from "../speech/recognizer.js";
import type { BridgeConfig } from "./bridge-config.js";
import { MediaStreamSession } from "./media-stream-session.js";
import { MAX_FRAME_BYTES } from "./stream-rules.js";

export interface StartBridgeOptions {
  config: BridgeConfig;
  recognizer: Recognizer;
  logger: Logger;
  /** Bound on anycable-go's welcome and subscription confirmation. Default 10 s. */
  handshakeTimeoutMs?: number;
}

export interface RunningBridge {
  /** ws://host:port/ where the bridge listens. */
  readonly url: string;
  readonly port: number;
  /** Streams open right now. */
  readonly streams: number;
  /** Ends every stream (flushing its results, bounded) and stops listening. Idempotent. */
  close(): Promise<void>;
}

function refuseUpgrade(socket: Duplex, status: 403 | 503, text: string): void {
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${text.length}\r\n\r\n${text}`,
  );
}

/**
 * Whether the upgrade request carries Twilio's signature for our public stream URL. Twilio signs
 * the URL it was given (wss://…, no query, no parameters), not the address this process listens
 * on behind a TLS proxy or tunnel.
 */
export function signedByTwilio(request: IncomingMessage, authToken: string, streamUrl: string): boolean {
  const signature = request.headers[TWILIO_SIGNATURE_HEADER];
  if (typeof signature !== "string" || signature === "") return false;
  return twilio.validateRequest(authToken, signature, streamUrl, {});
}

export async function startMediaStreamBridge(options: StartBridgeOptions): Promise<RunningBridge> {
  const { config, recognizer } = options;
  const logger = options.logger;
  const sessions = new Set<MediaStreamSession>();
  const context = {
    cableUrl: config.cableUrl,
    accountCheck: new AccountSidCheck(config.accountSid),
    streamTokens: new StreamTokens(config.secret),
    bridgeCredentials: new BridgeCredentials(config.secret),
    recognizer,
    heartbeatIntervalMs: config.heartbeatIntervalMs,
    flushTimeoutMs: config.flushTimeoutMs,
    handshakeTimeoutMs: options.handshakeTimeoutMs ?? 10_000,
  };
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false });
  let closing = false;

  const server = createServer((request, response) => {
    if (request.method === "GET" && request.url === "/health") {
      response.writeHead(closing ? 503 : 200, { "Content-Type": "text/plain" }).end(closing ? "closing" : "ok");
      return;
    }
    response.writeHead(426, { "Content-Type": "text/plain" }).end("Twilio media streams only: WebSocket upgrade required");
  });
  server.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const peer = { remoteAddress: request.socket.remoteAddress, path: request.url };
    if (closing || sessions.size >= config.maxStreams) {
      logger.warn({ ...peer, streams: sessions.size }, "media stream refused: the bridge is at capacity or closing");
      return refuseUpgrade(socket, 503, "Service Unavailable");
    }
    if (!signedByTwilio(request, config.authToken, config.streamUrl)) {
      logger.warn(peer, "media stream refused: X-Twilio-Signature is missing or does not match TWILIO_STREAM_URL");
      return refuseUpgrade(socket, 403, "Forbidden");
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      const session = new MediaStreamSession(ws, { ...context, logger: logger.child({ stream: peer.remoteAddress }) });
      sessions.add(session);
      void session.done.then(() => sessions.delete(session));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(":") ? `[${config.host}]` : config.host;
  logger.info(
    { listen: `${host}:${port}`, streamUrl: config.streamUrl, cableUrl: config.cableUrl, recognizer: recognizer.name },
    "media-stream bridge listening",
  );

  let closed: Promise<void> | undefined;
  return {
    url: `ws://${host}:${port}/`,
    port,
    get streams() {
      return sessions.size;
    },
    close() {
      closed ??= (async () => {
        closing = true;
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        await Promise.all([...sessions].map((session) => session.shutdown()));
        wss.close();
        server.closeAllConnections();
        await stopped;
      })();
      return closed;
    },
  };
}
