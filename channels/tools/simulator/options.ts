// Command-line and environment handling for `npm run simulate`, kept free of side effects so
// every rule here is unit-testable.
import { existsSync, readdirSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { ConfigError } from "anycable-ts";
import { DEV_ACCOUNT_SID, DEV_AUTH_TOKEN, DEV_BRIDGE_HOST, DEV_BRIDGE_SECRET, DEV_STREAM_URL } from "../../config/development-defaults.js";
import { loadBridgeSecret } from "../../credentials/bridge-secret.js";
import { isCallSid } from "../../calls/call-sid.js";
import { accountSid } from "../../config/twilio-account.js";
import { RECORDINGS_DIR } from "../../recordings/repository-recordings.js";

export class UsageError extends Error {
  override name = "UsageError";
}

export const DEFAULT_RECORDING = "hello-world";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

export const USAGE = `Plays a phone call to the media-stream bridge exactly as Twilio would: the WebSocket upgrade
signed with X-Twilio-Signature over the public stream URL, a start frame carrying a stream token
minted for the call, the recording's 20 ms media frames at its own pace, stop. The bridge then
recognizes the audio and drives anycable-go, so the call appears on the dashboard like a real one.

Usage:
  npm run simulate -- [options]                        the ${DEFAULT_RECORDING} recording
  npm run simulate -- --recording call-back [options]  another recording (name or .yml file)

Options:
  --recording FILE|NAME  recording to play (alias --replay); a bare NAME is looked up in
                         $TWILIO_FIXTURES_DIR, then in the repository's channels/recordings
  --url URL              the bridge's WebSocket (default ws://$TWILIO_BRIDGE_HOST/, that is
                         ws://${DEV_BRIDGE_HOST}/ unless set)
  --stream-url URL       the public wss:// URL the signature covers (env TWILIO_STREAM_URL;
                         default ${DEV_STREAM_URL}, npm start's)
  --account SID          Twilio account SID in the start frame (env TWILIO_ACCOUNT_SID;
                         default ${DEV_ACCOUNT_SID})
  --sid CALLSID          call SID, "CA" + 32 lower-case hex (default: random)
  --speed N              play N times faster (default 1; e.g. 10)
  --timeout-ms N         bound on the upgrade and on the bridge's close after stop (default 10000)
  --dry-run              print the frames that would be sent, one JSON text per line; no connection
  -h, --help             this help

Environment: TWILIO_AUTH_TOKEN signs the upgrade, TWILIO_BRIDGE_SECRET (else ANYCABLE_SECRET) mints
the stream token; both default to npm start's development values. LOG_LEVEL / ANYCABLE_LOG_LEVEL,
ANYCABLE_LOG_FORMAT=text|json.

Exit status: 0 when the bridge took the whole call (Ctrl-C ends it early and still exits 0), 1 when
the bridge refused or closed the stream, 2 for usage or recording errors.`;

export interface SimulatorOptions {
  /** Resolved path of the recording. */
  recording: string;
  /** Where the socket is opened. */
  url: string;
  /** What the signature covers. */
  streamUrl: string;
  account: string;
  /** True when no account was configured and npm start's DEV_ACCOUNT_SID stands in. */
  accountDefaulted: boolean;
  authToken: string;
  bridgeSecret: string;
  sid: string | undefined;
  speed: number;
  timeoutMs: number;
  dryRun: boolean;
}

export type ParsedCommandLine = { help: true } | { help: false; options: SimulatorOptions };

function positiveNumber(flag: string, raw: string | undefined, integer: boolean): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new UsageError(`${flag} expects a positive ${integer ? "integer" : "number"}, got "${raw}"`);
  }
  return value;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}

/** Where bare recording names are looked up, in order: external recordings first, then the repository's. */
export function recordingDirs(env: NodeJS.ProcessEnv): string[] {
  const external = nonEmpty(env.TWILIO_FIXTURES_DIR);
  return external === undefined ? [RECORDINGS_DIR] : [resolve(external), RECORDINGS_DIR];
}

function recordingNames(dir: string): string {
  try {
    const names = readdirSync(dir)
      .filter((f) => /\.ya?ml$/.test(f))
      .map((f) => f.replace(/\.ya?ml$/, ""));
    return names.length ? `recordings in ${dir}: ${names.join(", ")}` : `${dir} has no recordings`;
  } catch {
    return `${dir} does not exist; check TWILIO_FIXTURES_DIR`;
  }
}

/** A path that exists, or a bare name (hello-world, london.yml) in one of the recording directories. */
export function resolveRecording(value: string, env: NodeJS.ProcessEnv, cwd = process.cwd()): string {
  const direct = isAbsolute(value) ? value : resolve(cwd, value);
  if (existsSync(direct)) return direct;
  const dirs = recordingDirs(env);
  if (!/[\\/]/.test(value)) {
    for (const dir of dirs) {
      for (const candidate of [value, `${value}.yml`, `${value}.yaml`]) {
        const path = join(dir, candidate);
        if (existsSync(path)) return path;
      }
    }
  }
  throw new UsageError(`no recording "${value}" (${dirs.map(recordingNames).join("; ")})`);
}

function wsUrl(flag: string, value: string, protocols: readonly string[]): string {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new UsageError(`${flag} is not a URL: "${value}"`);
  }
  if (!protocols.includes(parsed.protocol))
    throw new UsageError(`${flag} must be a ${protocols.map((p) => `${p}//`).join(" or ")} URL, got "${value}"`);
  return value;
}

export function parseCommandLine(argv: readonly string[], env: NodeJS.ProcessEnv, cwd = process.cwd()): ParsedCommandLine {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        recording: { type: "string" },
        replay: { type: "string" },
        url: { type: "string" },
        "stream-url": { type: "string" },
        account: { type: "string" },
        sid: { type: "string" },
        speed: { type: "string" },
        "timeout-ms": { type: "string" },
        "dry-run": { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message.split("\n")[0]} (see --help)`);
  }
  if (values.help) return { help: true };
  if (values.recording !== undefined && values.replay !== undefined)
    throw new UsageError("--recording and --replay are the same option: pass one");

  const url = wsUrl("--url", nonEmpty(values.url) ?? `ws://${nonEmpty(env.TWILIO_BRIDGE_HOST) ?? DEV_BRIDGE_HOST}/`, ["ws:", "wss:"]);
  const streamUrl = wsUrl("--stream-url", nonEmpty(values["stream-url"]) ?? nonEmpty(env.TWILIO_STREAM_URL) ?? DEV_STREAM_URL, ["wss:"]);

  const configured = nonEmpty(values.account) ?? nonEmpty(env.TWILIO_ACCOUNT_SID);
  const account = configured ?? DEV_ACCOUNT_SID;
  if (!accountSid.safeParse(account).success)
    throw new UsageError(`--account must be "AC" followed by letters and digits, got "${account}"`);

  const sid = nonEmpty(values.sid);
  if (sid !== undefined && !isCallSid(sid)) throw new UsageError(`--sid must be "CA" followed by 32 lower-case hex digits, got "${sid}"`);

  let bridgeSecret: string;
  try {
    bridgeSecret = loadBridgeSecret(env) ?? DEV_BRIDGE_SECRET;
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message.split("\n").slice(1).join(" ").trim());
    throw error;
  }

  return {
    help: false,
    options: {
      recording: resolveRecording(nonEmpty(values.recording) ?? nonEmpty(values.replay) ?? DEFAULT_RECORDING, env, cwd),
      url,
      streamUrl,
      account,
      accountDefaulted: configured === undefined,
      authToken: nonEmpty(env.TWILIO_AUTH_TOKEN) ?? DEV_AUTH_TOKEN,
      bridgeSecret,
      sid,
      speed: positiveNumber("--speed", values.speed, false) ?? 1,
      timeoutMs: positiveNumber("--timeout-ms", values["timeout-ms"], true) ?? 10_000,
      dryRun: values["dry-run"] ?? false,
    },
  };
}
