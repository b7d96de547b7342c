import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";

import { silentLogger, type Logger } from "../../src/index.js";
import { playMediaStream, type PlayOutcome } from "../../channels/media-stream/stream-player.js";
import type { Recording } from "../../channels/media-stream/recording.js";
import { LOOPBACK, listenOnLoopback } from "./ports.js";

/** One request the fake received, decoded. */
export interface FakeTwilioRequest {
  method: string;
  path: string;
  /** Basic auth credentials, or undefined when absent/malformed. */
  auth: { username: string; password: string } | undefined;
  contentType: string | undefined;
  /** Form fields of a POST (last value wins, as Twilio reads them). */
  form: Record<string, string>;
}

export interface FakeTwilioCall {
  sid: string;
  to: string;
  from: string;
  twiml: string;
  /** Statuses a GET returns, one per fetch; the last one repeats. */
  statuses: string[];
  streams: FakeTwilioStream[];
}

export interface FakeTwilioStream {
  sid: string;
  url: string;
  track: string;
  /** Stream parameters from `ParameterN.Name` / `ParameterN.Value`, as `start.customParameters` carries them. */
  parameters: Record<string, string>;
  /** Set when the fake dialed the stream URL (see FakeTwilioApiOptions.mediaStreams). */
  played?: Promise<PlayOutcome>;
}

/** What Twilio does after streams.create: open the stream URL and send the call's audio. */
export interface FakeMediaStreams {
  /**
   * Where to open the socket instead of the public wss:// URL (the bridge's local ws:// address,
   * as a TLS proxy or tunnel would forward to it). The signature still covers the public URL.
   */
  connectUrl: string;
  /** The call's audio. */
  recording: Recording;
  /** Default 1 (real time). */
  speed?: number;
  logger?: Logger;
}

export interface FakeTwilioApiOptions {
  accountSid: string;
  authToken: string;
  /** Statuses successive fetches of a new call return. Default ['ringing', 'in-progress']. */
  statuses?: string[];
  /** `To` numbers the fake refuses the way Twilio does (400, error 21211). */
  invalidNumbers?: readonly string[];
  /** When set, streams.create dials the stream like Twilio: signed upgrade, start with the parameters, the recording, stop. */
  mediaStreams?: FakeMediaStreams;
}

export interface FakeTwilioApi {
  /** http://127.0.0.1:<port>, for TWILIO_API_BASE_URL / client.api.baseUrl. */
  readonly url: string;
  readonly requests: FakeTwilioRequest[];
  readonly calls: Map<string, FakeTwilioCall>;
  close(): Promise<void>;
}

const CALLS = /^\/2010-04-01\/Accounts\/([^/]+)\/Calls\.json$/;
const CALL = /^\/2010-04-01\/Accounts\/([^/]+)\/Calls\/([^/]+)\.json$/;
const STREAMS = /^\/2010-04-01\/Accounts\/([^/]+)\/Calls\/([^/]+)\/Streams\.json$/;

function hexSid(prefix: string): string {
  return `${prefix}${randomBytes(16).toString("hex")}`;
}

function decodeAuth(header: string | undefined): FakeTwilioRequest["auth"] {
  const match = /^Basic (.+)$/.exec(header ?? "");
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon < 0 ? undefined : { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function send(response: ServerResponse, status: number, body: object): void {
  response.writeHead(status, { "Content-Type": "application/json" });
  response.end(JSON.stringify(body));
}

function twilioError(response: ServerResponse, status: number, code: number, message: string): void {
  send(response, status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });
}

function callResource(accountSid: string, call: FakeTwilioCall, status: string): object {
  return {
    sid: call.sid,
    account_sid: accountSid,
    to: call.to,
    from: call.from,
    status,
    direction: "outbound-api",
    uri: `/2010-04-01/Accounts/${accountSid}/Calls/${call.sid}.json`,
  };
}

/**
 * A local stand-in for the part of api.twilio.com the dashboard uses, speaking the real wire
 * format (form-encoded POSTs, Basic auth, JSON bodies, Twilio's error shape), so the `twilio`
 * SDK runs unmodified against it. Never the real cloud.
 */
export async function startFakeTwilioApi(options: FakeTwilioApiOptions): Promise<FakeTwilioApi> {
  const requests: FakeTwilioRequest[] = [];
  const calls = new Map<string, FakeTwilioCall>();
  const fetchCounts = new Map<string, number>();
  const invalid = new Set(options.invalidNumbers ?? []);

  const server = createServer((request, response) => {
    void (async () => {
      const path = new URL(request.url ?? "/", "http://fake").pathname;
      const body = await readBody(request);
      const form = Object.fromEntries(new URLSearchParams(body));
      const auth = decodeAuth(request.headers.authorization);
      requests.push({ method: request.method ?? "", path, auth, contentType: request.headers["content-type"], form });

      if (auth?.username !== options.accountSid || auth.password !== options.authToken) {
        return twilioError(response, 401, 20003, "Authenticate");
      }
      let match: RegExpExecArray | null;
      if (request.method === "POST" && (match = CALLS.exec(path))) {
        if (match[1] !== options.accountSid) return twilioError(response, 403, 20003, "Permission denied");
        if (!form.To || !form.From || !(form.Twiml || form.Url)) return twilioError(response, 400, 21201, "No called number is specified");
        if (invalid.has(form.To)) return twilioError(response, 400, 21211, `The 'To' number ${form.To} is not a valid phone number.`);
        const call: FakeTwilioCall = {
          sid: hexSid("CA"),
          to: form.To,
          from: form.From,
          twiml: form.Twiml ?? "",
          statuses: [...(options.statuses ?? ["ringing", "in-progress"])],
          streams: [],
        };
        calls.set(call.sid, call);
        return send(response, 201, callResource(options.accountSid, call, "queued"));
      }
      if (request.method === "GET" && (match = CALL.exec(path))) {
        const call = calls.get(match[2] ?? "");
        if (!call) return twilioError(response, 404, 20404, "The requested resource was not found");
        const count = fetchCounts.get(call.sid) ?? 0;
        fetchCounts.set(call.sid, count + 1);
        const status = call.statuses[Math.min(count, call.statuses.length - 1)] ?? "queued";
        return send(response, 200, callResource(options.accountSid, call, status));
      }
      if (request.method === "POST" && (match = STREAMS.exec(path))) {
        const call = calls.get(match[2] ?? "");
        if (!call) return twilioError(response, 404, 20404, "The requested resource was not found");
        if (!form.Url?.startsWith("wss://")) return twilioError(response, 400, 31941, "Invalid Url");
        const parameters: Record<string, string> = {};
        for (let n = 1; n <= 99 && form[`Parameter${n}.Name`] !== undefined; n++) {
          parameters[form[`Parameter${n}.Name`]!] = form[`Parameter${n}.Value`] ?? "";
        }
        const stream: FakeTwilioStream = { sid: hexSid("MZ"), url: form.Url, track: form.Track ?? "inbound_track", parameters };
        call.streams.push(stream);
        const dial = options.mediaStreams;
        if (dial) {
          // Like Twilio, the stream opens after the REST answer; its failure is the test's to inspect.
          stream.played = new Promise<void>((resolve) => setImmediate(resolve)).then(() =>
            playMediaStream({
              connectUrl: dial.connectUrl,
              streamUrl: stream.url,
              authToken: options.authToken,
              accountSid: options.accountSid,
              callSid: call.sid,
              customParameters: parameters,
              recording: dial.recording,
              speed: dial.speed ?? 1,
              logger: dial.logger ?? silentLogger(),
            }),
          );
          stream.played.catch(() => undefined);
        }
        return send(response, 201, {
          sid: stream.sid,
          account_sid: options.accountSid,
          call_sid: call.sid,
          name: null,
          status: "in-progress",
        });
      }
      return twilioError(response, 404, 20404, "The requested resource was not found");
    })().catch((error: unknown) => {
      response.writeHead(500);
      response.end(String(error));
    });
  });

  const port = await listenOnLoopback(server);
  return {
    url: `http://${LOOPBACK}:${port}`,
    requests,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
