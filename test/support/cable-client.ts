import {
  createCable,
  DisconnectedError,
  ReasonError,
  SubscriptionRejectedError,
  type Cable,
  type Channel,
  type ProtocolID,
} from "@anycable/core";
import WebSocket from "ws";

import { withTimeout, WaitTimeoutError } from "./wait.js";

export { SubscriptionRejectedError, DisconnectedError, ReasonError };

// ===========================================================================
// Shared bits
// ===========================================================================

export interface SocketClose {
  code: number;
  reason: string;
}

/** A parsed Action Cable frame; loose on purpose, tests assert the exact shape. */
export type CableFrame = Record<string, unknown>;

function isPing(frame: unknown): boolean {
  return typeof frame === "object" && frame !== null && (frame as CableFrame).type === "ping";
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function dataToString(data: WebSocket.RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString("utf8");
  return data.toString("utf8");
}

/**
 * What waitUntil() listens to: each client calls notify() whenever a frame,
 * a message or a close arrives, and every pending wait re-checks.
 */
function changeSignal(): { notify(): void; subscribe(listener: () => void): () => void } {
  const listeners = new Set<() => void>();
  return {
    notify() {
      for (const listener of [...listeners]) listener();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/**
 * Resolves with `check()` once it returns something other than undefined,
 * re-checking whenever `subscribe` reports a change; a throwing check rejects.
 */
function waitUntil<T>(
  subscribe: (notify: () => void) => () => void,
  check: () => T | undefined,
  timeoutMs: number,
  description: string,
  details?: () => string,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let unsubscribe = (): void => {};
    let timer: NodeJS.Timeout | undefined;
    const attempt = (): boolean => {
      let value: T | undefined;
      try {
        value = check();
      } catch (error) {
        clearTimeout(timer);
        unsubscribe();
        reject(error);
        return true;
      }
      if (value === undefined) return false;
      clearTimeout(timer);
      unsubscribe();
      resolve(value);
      return true;
    };
    if (attempt()) return;
    timer = setTimeout(() => {
      unsubscribe();
      const extra = details?.();
      reject(new WaitTimeoutError(`timed out after ${timeoutMs} ms waiting for ${description}${extra ? `\n${extra}` : ""}`));
    }, timeoutMs);
    unsubscribe = subscribe(() => {
      attempt();
    });
  });
}

function recentFrames(frames: readonly unknown[], count = 20): string {
  const tail = frames.filter((f) => !isPing(f)).slice(-count);
  return `last frames received (pings omitted):\n${tail.map((f) => `  ${JSON.stringify(f)}`).join("\n") || "  (none)"}`;
}

// ===========================================================================
// Action Cable client on @anycable/core
// ===========================================================================

export interface CableClientOptions {
  /** Extra HTTP headers on the WebSocket upgrade request, e.g. { cookie, 'x-twilio-account': ... }. */
  headers?: Record<string, string>;
  /** Default 'actioncable-v1-json'. */
  protocol?: ProtocolID;
  /**
   * Let @anycable/core's monitor reconnect after a disconnect (and track
   * pings). Default false: tests see a disconnect as final unless they ask.
   */
  reconnect?: boolean;
  /** Default timeout for this client's waits. Default 10 s. */
  timeoutMs?: number;
}

export interface DisconnectInfo {
  /** 'close': the cable gave up for good (server said reconnect:false, or close() was called); 'disconnect': it may reconnect. */
  kind: "disconnect" | "close";
  /** The reason the server sent (e.g. "unauthorized", "server_restart") or "transport_closed". */
  reason: string | undefined;
  error: ReasonError | undefined;
  /** Close code and reason of the underlying socket, when it closed within a moment of the event. */
  socket: SocketClose | undefined;
}

export interface ChannelSubscription {
  readonly channel: Channel;
  /** The identifier the server sees, e.g. {"channel":"ChatChannel","id":1}. */
  readonly identifier: string;
  /** `message` payloads received on this channel, in order. */
  readonly messages: unknown[];
  /** Resolves with the first message (already received or future) matching `predicate` (default: any). */
  waitForMessage<T = unknown>(predicate?: (message: T) => boolean, timeoutMs?: number): Promise<T>;
  /** Resolves once at least `count` messages have arrived; returns all received so far. */
  waitForMessages(count: number, timeoutMs?: number): Promise<unknown[]>;
  /** Sends {"command":"message","identifier":...,"data":"{...data,\"action\":action}"}. */
  perform(action: string, data?: Record<string, unknown>): Promise<void>;
  unsubscribe(): Promise<void>;
}

export interface CableClient {
  readonly cable: Cable;
  readonly url: string;
  /** The sid from the welcome message. */
  readonly sessionId: string | undefined;
  /** Every frame received, parsed, pings included, in order. */
  readonly frames: unknown[];
  state(): Cable["state"];
  /** Close code/reason of the most recent underlying socket, once it has closed. */
  socketClose(): SocketClose | undefined;
  /** Resolves after the welcome; rejects with the reason if the server refuses the connection. */
  waitConnected(timeoutMs?: number): Promise<void>;
  /** Resolves with how the connection ended (immediately if it already has). */
  waitDisconnected(timeoutMs?: number): Promise<DisconnectInfo>;
  /**
   * Subscribes to `channel` with `params` and resolves once confirmed. Rejects
   * with SubscriptionRejectedError on reject_subscription.
   */
  subscribe(channel: string, params?: Record<string, string | number | boolean>, timeoutMs?: number): Promise<ChannelSubscription>;
  /** Closes the cable and waits for the socket to close. */
  close(): Promise<void>;
}

/**
 * Builds a per-client `ws` subclass: @anycable/core constructs the socket
 * itself, so this is where request headers get in and where the frames and the
 * close code, which core does not expose, are recorded.
 */
type WebSocketConstructor = new (address: string | URL, protocols?: string | string[], options?: WebSocket.ClientOptions) => WebSocket;

function instrumentedWebSocket(headers: Record<string, string>, onSocket: (ws: WebSocket) => void): WebSocketConstructor {
  return class InstrumentedWebSocket extends WebSocket {
    constructor(address: string | URL, protocols?: string | string[], options?: WebSocket.ClientOptions) {
      super(address, protocols, { ...options, headers: { ...options?.headers, ...headers } });
      onSocket(this);
    }
  };
}

/**
 * Creates an Action Cable client and starts connecting; does not wait for the
 * welcome (use waitConnected / waitDisconnected). For a plain connected
 * client, use connectCable().
 */
export function createCableClient(url: string, options: CableClientOptions = {}): CableClient {
  const defaultTimeout = options.timeoutMs ?? 10_000;
  const frames: unknown[] = [];
  const { notify, subscribe: subscribeToChanges } = changeSignal();

  let socket: WebSocket | undefined;
  let lastClose: SocketClose | undefined;
  let ended: { kind: "disconnect" | "close"; error: ReasonError | undefined } | undefined;

  const Impl = instrumentedWebSocket(options.headers ?? {}, (ws) => {
    socket = ws;
    lastClose = undefined;
    ws.on("message", (data, isBinary) => {
      const text = dataToString(data);
      frames.push(isBinary ? text : (parseJson(text) ?? text));
      notify();
    });
    ws.on("close", (code, reason) => {
      if (socket === ws) lastClose = { code, reason: reason.toString("utf8") };
      notify();
    });
    // core attaches onerror too; this keeps an early error from being "unhandled".
    ws.on("error", () => {});
  });

  const cable = createCable(url, {
    protocol: options.protocol ?? "actioncable-v1-json",
    websocketImplementation: Impl,
    logLevel: "error",
    lazy: true,
    monitor: options.reconnect ? undefined : false,
  });

  cable.on("connect", () => {
    ended = undefined;
    notify();
  });
  cable.on("disconnect", (error) => {
    ended = { kind: "disconnect", error };
    notify();
  });
  cable.on("close", (error) => {
    ended = { kind: "close", error };
    notify();
  });
  cable.connect().catch(() => {
    // Reported through waitConnected()/waitDisconnected().
  });

  const describeEnd = (): string => {
    if (!ended) return "not disconnected";
    return `${ended.kind}${ended.error?.reason ? ` (${ended.error.reason})` : ""}${lastClose ? `, socket closed ${lastClose.code} ${JSON.stringify(lastClose.reason)}` : ""}`;
  };

  const client: CableClient = {
    cable,
    url,
    get sessionId() {
      return cable.sessionId;
    },
    frames,
    state: () => cable.state,
    socketClose: () => lastClose,

    async waitConnected(timeoutMs = defaultTimeout) {
      const outcome = await waitUntil(
        subscribeToChanges,
        () => (cable.state === "connected" ? "connected" : ended ? "ended" : undefined),
        timeoutMs,
        `a welcome from ${url}`,
        () => recentFrames(frames),
      );
      if (outcome === "ended") {
        throw new Error(`connection to ${url} was not accepted: ${describeEnd()}\n${recentFrames(frames)}`);
      }
    },

    async waitDisconnected(timeoutMs = defaultTimeout) {
      const end = await waitUntil(
        subscribeToChanges,
        () => ended,
        timeoutMs,
        `${url} to disconnect`,
        () => recentFrames(frames),
      );
      // The socket's own close usually lands within a moment of the protocol event.
      if (!lastClose && socket) {
        await waitUntil(subscribeToChanges, () => lastClose, 1_000, "socket close").catch(() => undefined);
      }
      return { kind: end.kind, reason: end.error?.reason, error: end.error, socket: lastClose };
    },

    async subscribe(channelName, params, timeoutMs = defaultTimeout) {
      const channel = cable.subscribeTo(channelName, params);
      const messages: unknown[] = [];
      channel.on("message", (message) => {
        messages.push(message);
        notify();
      });
      await withTimeout(channel.ensureSubscribed(), timeoutMs, `confirmation of ${channel.identifier}`).catch((error: unknown) => {
        if (error instanceof WaitTimeoutError) {
          throw new WaitTimeoutError(`${error.message}\n${recentFrames(frames)}`);
        }
        throw error;
      });

      const subscription: ChannelSubscription = {
        channel,
        identifier: channel.identifier,
        messages,
        waitForMessage<T = unknown>(predicate: (message: T) => boolean = () => true, waitMs = defaultTimeout) {
          return waitUntil(
            subscribeToChanges,
            () => messages.find((m) => predicate(m as T)) as T | undefined,
            waitMs,
            `a matching message on ${channel.identifier}`,
            () => `messages on this channel:\n${messages.map((m) => `  ${JSON.stringify(m)}`).join("\n") || "  (none)"}`,
          );
        },
        waitForMessages(count, waitMs = defaultTimeout) {
          return waitUntil(
            subscribeToChanges,
            () => (messages.length >= count ? [...messages] : undefined),
            waitMs,
            `${count} messages on ${channel.identifier} (have ${messages.length})`,
          );
        },
        async perform(action, data) {
          await channel.perform(action, data ? { ...data } : undefined);
        },
        async unsubscribe() {
          channel.disconnect();
          await Promise.resolve();
        },
      };
      return subscription;
    },

    async close() {
      const ws = socket;
      cable.disconnect();
      if (ws && ws.readyState !== WebSocket.CLOSED) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            ws.terminate();
            resolve();
          }, 2_000);
          ws.once("close", () => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
  };
  return client;
}

/** An Action Cable client that has received its welcome. Throws with the reason if refused. */
export async function connectCable(url: string, options: CableClientOptions = {}): Promise<CableClient> {
  const client = createCableClient(url, options);
  try {
    await client.waitConnected();
  } catch (error) {
    await client.close();
    throw error;
  }
  return client;
}

// ===========================================================================
// Raw WebSocket client: records every frame verbatim
// ===========================================================================

export interface RawFrame {
  /** Frame text exactly as received (binary frames decoded as UTF-8). */
  text: string;
  binary: boolean;
  /** Parsed JSON, or undefined if the text is not JSON. */
  json: unknown;
  /** Date.now() on arrival. */
  at: number;
}

export interface RawSocketOptions {
  headers?: Record<string, string>;
  /** Default ['actioncable-v1-json']; pass [] for none. */
  protocols?: string[];
  origin?: string;
  /** Handshake timeout. Default 10 s. */
  timeoutMs?: number;
}

export class UpgradeRejectedError extends Error {
  override name = "UpgradeRejectedError";
  constructor(
    readonly statusCode: number,
    readonly body: string,
  ) {
    super(`WebSocket upgrade rejected with HTTP ${statusCode}: ${body.slice(0, 200)}`);
  }
}

export interface RawSocket {
  readonly ws: WebSocket;
  /** The negotiated subprotocol ('' if none). */
  readonly protocol: string;
  /** Every frame received, in order. */
  readonly frames: RawFrame[];
  /** Every frame sent through send(), as text. */
  readonly sent: string[];
  /** Parsed JSON of received frames; pings omitted unless asked. */
  messages(options?: { includePings?: boolean }): unknown[];
  /**
   * Resolves with the first frame at index >= `since` (default 0) whose parsed
   * JSON satisfies `predicate`, waiting for it if needed.
   */
  waitForFrame(predicate: (json: any, frame: RawFrame) => boolean, options?: { since?: number; timeoutMs?: number }): Promise<RawFrame>;
  /** Shorthand: parsed JSON of the first frame with this `type` (e.g. "welcome", "disconnect"). */
  waitForType(type: string, options?: { since?: number; timeoutMs?: number }): Promise<CableFrame>;
  send(data: string | object): void;
  /** {"command":"subscribe","identifier":<identifier, JSON-encoded if an object>} */
  subscribe(identifier: string | object): void;
  unsubscribe(identifier: string | object): void;
  /** {"command":"message","identifier":...,"data":JSON.stringify({...data, action})} */
  perform(identifier: string | object, action: string, data?: Record<string, unknown>): void;
  /** Resolves when the socket has closed (whoever closed it). */
  readonly closed: Promise<SocketClose>;
  closeInfo(): SocketClose | undefined;
  /** Closes from the client side and waits for the close handshake (terminates after 2 s). */
  close(code?: number, reason?: string): Promise<SocketClose>;
}

/** Opens a WebSocket and resolves once it is open; records frames from the first byte. */
export function openRawSocket(url: string, options: RawSocketOptions = {}): Promise<RawSocket> {
  const { headers = {}, protocols = ["actioncable-v1-json"], origin, timeoutMs = 10_000 } = options;
  const ws = new WebSocket(url, protocols, { headers, ...(origin ? { origin } : {}), handshakeTimeout: timeoutMs });
  const frames: RawFrame[] = [];
  const sent: string[] = [];
  const { notify, subscribe: subscribeToChanges } = changeSignal();
  let closeInfo: SocketClose | undefined;

  ws.on("message", (data, isBinary) => {
    const text = dataToString(data);
    frames.push({ text, binary: isBinary, json: parseJson(text), at: Date.now() });
    notify();
  });
  const closed = new Promise<SocketClose>((resolve) => {
    ws.on("close", (code, reason) => {
      closeInfo = { code, reason: reason.toString("utf8") };
      resolve(closeInfo);
      notify();
    });
  });

  const encodeIdentifier = (identifier: string | object): string =>
    typeof identifier === "string" ? identifier : JSON.stringify(identifier);

  const socket: RawSocket = {
    ws,
    get protocol() {
      return ws.protocol;
    },
    frames,
    sent,
    messages: ({ includePings = false } = {}) => frames.map((f) => f.json ?? f.text).filter((m) => includePings || !isPing(m)),
    waitForFrame(predicate, { since = 0, timeoutMs: waitMs = 10_000 } = {}) {
      return waitUntil(
        subscribeToChanges,
        () => {
          const found = frames.slice(since).find((f) => f.json !== undefined && predicate(f.json, f));
          if (found) return found;
          if (closeInfo)
            throw new Error(
              `socket closed (${closeInfo.code} ${JSON.stringify(closeInfo.reason)}) before the expected frame\n${recentFrames(frames.map((f) => f.json ?? f.text))}`,
            );
          return undefined;
        },
        waitMs,
        `a matching frame from ${url}`,
        () => recentFrames(frames.map((f) => f.json ?? f.text)),
      );
    },
    async waitForType(type, waitOptions) {
      const frame = await socket.waitForFrame((json) => typeof json === "object" && json !== null && json.type === type, waitOptions);
      return frame.json as CableFrame;
    },
    send(data) {
      const text = typeof data === "string" ? data : JSON.stringify(data);
      sent.push(text);
      ws.send(text);
    },
    subscribe(identifier) {
      socket.send({ command: "subscribe", identifier: encodeIdentifier(identifier) });
    },
    unsubscribe(identifier) {
      socket.send({ command: "unsubscribe", identifier: encodeIdentifier(identifier) });
    },
    perform(identifier, action, data = {}) {
      socket.send({ command: "message", identifier: encodeIdentifier(identifier), data: JSON.stringify({ ...data, action }) });
    },
    closed,
    closeInfo: () => closeInfo,
    async close(code = 1000, reason = "") {
      if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.close(code, reason);
      const timer = setTimeout(() => ws.terminate(), 2_000);
      try {
        return await closed;
      } finally {
        clearTimeout(timer);
      }
    },
  };

  return new Promise<RawSocket>((resolve, reject) => {
    let settled = false;
    const fail = (error: Error): void => {
      if (settled) return;
      settled = true;
      ws.terminate();
      reject(error);
    };
    ws.once("open", () => {
      if (settled) return;
      settled = true;
      resolve(socket);
    });
    ws.once("unexpected-response", (_request, response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (body += chunk));
      response.on("end", () => fail(new UpgradeRejectedError(response.statusCode ?? 0, body)));
      response.on("error", () => fail(new UpgradeRejectedError(response.statusCode ?? 0, body)));
    });
    ws.on("error", (error) => {
      if (ws.readyState !== WebSocket.OPEN) fail(new Error(`could not open ${url}: ${error.message}`));
    });
  });
}
