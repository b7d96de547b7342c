// The media-stream bridge in this process, between a hand-driven Twilio socket (signed with the
// real twilio SDK), a loopback Action Cable server playing anycable-go's side, and a recognizer
// the test chooses (scripted by default).
import { afterEach, vi } from "vitest";
import { silentLogger, type Logger } from "../../../../src/index.js";
import type { BridgeConfig } from "../../../../channels/bridge/bridge-config.js";
import { startMediaStreamBridge, type RunningBridge } from "../../../../channels/bridge/bridge-server.js";
import { STREAM_TOKEN_PARAMETER, StreamTokens } from "../../../../channels/credentials/stream-token.js";
import type { Recognizer } from "../../../../channels/speech/recognizer.js";
import { captureLogger, type CapturedLogs } from "../../../support/capture-logger.js";
import { openRawTwilioSocket, twilioFrames, type RawTwilioSocket } from "../../../support/raw-twilio-socket.js";
import { startCableServer, welcomeAndConfirm, type CableConnection, type CableServer } from "./action-cable-server.js";
import { ScriptedRecognizer } from "./scripted-recognizer.js";

export const ACCOUNT_SID = `AC${"0b".repeat(16)}`;
export const AUTH_TOKEN = "unit-bridge-auth-token";
export const SECRET = "unit-bridge-secret-0123456789abcdef";
export const STREAM_URL = "wss://calls.example.test/twilio/stream";

export const callSid = (n: number) => `CA${n.toString(16).padStart(32, "0")}`;

export interface UnitBridgeOptions {
  /** How anycable-go answers each cable connection; by default a welcome and a confirmation. */
  cable?: (connection: CableConnection) => void;
  recognizer?: Recognizer;
  logger?: Logger;
  config?: Partial<BridgeConfig>;
  /** Bound on anycable-go's handshake; 5 s by default, null for the bridge's own default. */
  handshakeTimeoutMs?: number | null;
}

export interface UnitBridge {
  bridge: RunningBridge;
  cable: CableServer;
  recognizer: Recognizer;
  /** A stream token for the call, as the dashboard mints it when placing the call. */
  token(callSid: string): string;
  /** Opens a Twilio socket (signed over STREAM_URL unless `signature` says otherwise). */
  open(signature?: string | null): Promise<RawTwilioSocket>;
  /** Twilio's frames for the call, with a valid token unless `parameters` are given. */
  frames(callSid: string, parameters?: Record<string, string>): ReturnType<typeof twilioFrames>;
  stop(): Promise<void>;
}

export async function startUnitBridge(options: UnitBridgeOptions = {}): Promise<UnitBridge> {
  const cable = await startCableServer(options.cable ?? ((connection) => welcomeAndConfirm(connection.ws)));
  const recognizer = options.recognizer ?? new ScriptedRecognizer();
  const tokens = new StreamTokens(SECRET);
  const config: BridgeConfig = {
    host: "127.0.0.1",
    port: 0,
    cableUrl: cable.url,
    streamUrl: STREAM_URL,
    authToken: AUTH_TOKEN,
    accountSid: ACCOUNT_SID,
    secret: SECRET,
    heartbeatIntervalMs: 30_000,
    flushTimeoutMs: 5_000,
    maxStreams: 200,
    ...options.config,
  };
  const bridge = await startMediaStreamBridge({
    config,
    recognizer,
    logger: options.logger ?? silentLogger(),
    ...(options.handshakeTimeoutMs === null ? {} : { handshakeTimeoutMs: options.handshakeTimeoutMs ?? 5_000 }),
  }).catch(async (error: unknown) => {
    await cable.close();
    throw error;
  });
  return {
    bridge,
    cable,
    recognizer,
    token: (sid) => tokens.mint(sid),
    open: (signature) =>
      openRawTwilioSocket(bridge.url, { streamUrl: STREAM_URL, authToken: AUTH_TOKEN, ...(signature === undefined ? {} : { signature }) }),
    frames: (sid, parameters) => twilioFrames(sid, ACCOUNT_SID, parameters ?? { [STREAM_TOKEN_PARAMETER]: tokens.mint(sid) }),
    async stop() {
      await bridge.close();
      await cable.close();
    },
  };
}

/**
 * One bridge per test, with its captured logs and scripted recognizer: `start()` inside a test,
 * then `bridge.unit`, `bridge.logs`, `bridge.speech`; the bridge is stopped (and real timers are
 * back) after each test. Call it once at the top of a test file.
 */
export function unitBridgePerTest() {
  let current: { unit: UnitBridge; logs: CapturedLogs; speech: ScriptedRecognizer } | undefined;
  afterEach(async () => {
    vi.useRealTimers();
    const stopping = current?.unit.stop();
    current = undefined;
    await stopping;
  });
  const started = () => {
    if (current === undefined) throw new Error("no bridge: call start() first in this test");
    return current;
  };
  return {
    async start(options: UnitBridgeOptions = {}): Promise<UnitBridge> {
      const logs = captureLogger();
      const speech = new ScriptedRecognizer();
      const unit = await startUnitBridge({ recognizer: speech, logger: logs.logger, ...options });
      current = { unit, logs, speech };
      return unit;
    },
    get unit(): UnitBridge {
      return started().unit;
    },
    get logs(): CapturedLogs {
      return started().logs;
    },
    get speech(): ScriptedRecognizer {
      return started().speech;
    },
  };
}
