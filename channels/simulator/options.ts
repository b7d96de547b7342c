// Command-line and environment handling for `npm run simulate`, kept free of side effects so
// every rule here is unit-testable.
import { existsSync, readdirSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { CallSid } from "../media-stream/frames.js";
import { RECORDINGS_DIR } from "../recordings/repository-recordings.js";

export class UsageError extends Error {
  override name = "UsageError";
}

/** The account the recordings' ERB tag falls back to; an application configured otherwise refuses it. */
export const DEFAULT_ACCOUNT_SID = "AC20230312";
export const DEFAULT_CABLE_URL = "ws://localhost:8080/cable";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export const USAGE = `Plays a phone call through a running anycable-go, the way the Twilio media-stream server
drives the application: connect to /cable with the x-twilio-account header, subscribe to
{"channel":"twilio","sid":"<CallSid>"}, perform handle_message with speech-recognition
results, hang up.

Usage:
  npm run simulate -- [options]                      built-in script
  npm run simulate -- --script call.yml [options]    your own script (.json, .yml, .yaml)
  npm run simulate -- --replay sample [options]      a recorded media stream, transcribed by pocketsphinx

Options:
  --url URL          anycable-go WebSocket URL (env CABLE_URL; default ${DEFAULT_CABLE_URL})
  --account SID      Twilio account SID sent as x-twilio-account (env TWILIO_ACCOUNT_SID;
                     default ${DEFAULT_ACCOUNT_SID}, the recordings' placeholder default)
  --sid CALLSID      call SID, "CA" + 32 lower-case hex (default: random, or the recording's)
  --script FILE      scripted call from a file (see channels/simulator/scripts/example.yml)
  --replay FILE|NAME recording to replay; a bare NAME (hello-world, call-back) is looked up in
                     $TWILIO_FIXTURES_DIR, then in the repository's channels/recordings
  --speed N          play N times faster (default 1; e.g. 10)
  --pace-ms N        scripted calls: milliseconds per word (partials grow one word per N ms)
  --timeout-ms N     bound on each handshake step (default 10000)
  --dry-run          print the frames that would be sent, one JSON text per line; no connection
  -h, --help         this help

Environment: LOG_LEVEL / ANYCABLE_LOG_LEVEL (info, debug, trace), ANYCABLE_LOG_FORMAT=text|json,
POCKETSPHINX_BIN and SOX_BIN to use other binaries for --replay.

Exit status: 0 after a clean hang-up (Ctrl-C hangs up early and still exits 0), 1 when the call
fails (connection refused, unauthorized, subscription rejected, connection lost), 2 for usage,
script or recording errors.`;

export interface SimulatorOptions {
  mode: "script" | "replay";
  /** The script file, or undefined for the built-in script. */
  script: string | undefined;
  /** Resolved path of the recording in replay mode. */
  recording: string | undefined;
  url: string;
  account: string;
  /** True when no account was configured and DEFAULT_ACCOUNT_SID stands in. */
  accountDefaulted: boolean;
  sid: string | undefined;
  speed: number;
  paceMs: number | undefined;
  timeoutMs: number;
  dryRun: boolean;
  pocketsphinx: string | undefined;
  sox: string | undefined;
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

export function parseCommandLine(argv: readonly string[], env: NodeJS.ProcessEnv, cwd = process.cwd()): ParsedCommandLine {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        url: { type: "string" },
        account: { type: "string" },
        sid: { type: "string" },
        script: { type: "string" },
        replay: { type: "string" },
        speed: { type: "string" },
        "pace-ms": { type: "string" },
        "timeout-ms": { type: "string" },
        "dry-run": { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message.split("\n")[0]} (see --help)`);
  }
  if (values.help) return { help: true };

  if (values.script !== undefined && values.replay !== undefined) throw new UsageError("--script and --replay are alternatives: pass one");
  if (values.replay !== undefined && values["pace-ms"] !== undefined)
    throw new UsageError("--pace-ms applies to scripted calls; a replay keeps the recording's timing (use --speed)");

  const url = nonEmpty(values.url) ?? nonEmpty(env.CABLE_URL) ?? DEFAULT_CABLE_URL;
  let parsedUrl: URL;
  try {
    parsedUrl = new URL(url);
  } catch {
    throw new UsageError(`--url is not a URL: "${url}"`);
  }
  if (parsedUrl.protocol !== "ws:" && parsedUrl.protocol !== "wss:")
    throw new UsageError(`--url must be a ws:// or wss:// URL, got "${url}"`);

  const configured = nonEmpty(values.account) ?? nonEmpty(env.TWILIO_ACCOUNT_SID);
  const account = configured ?? DEFAULT_ACCOUNT_SID;
  // The value travels in an HTTP header.
  if (!/^[\x21-\x7e]+$/.test(account)) throw new UsageError(`--account must be printable ASCII without spaces, got "${account}"`);

  const sid = nonEmpty(values.sid);
  if (sid !== undefined && !CallSid.safeParse(sid).success)
    throw new UsageError(`--sid must be "CA" followed by 32 lower-case hex digits, got "${sid}"`);

  const script = nonEmpty(values.script);
  const replay = nonEmpty(values.replay);
  return {
    help: false,
    options: {
      mode: replay !== undefined ? "replay" : "script",
      script: script === undefined ? undefined : resolve(cwd, script),
      recording: replay === undefined ? undefined : resolveRecording(replay, env, cwd),
      url,
      account,
      accountDefaulted: configured === undefined,
      sid,
      speed: positiveNumber("--speed", values.speed, false) ?? 1,
      paceMs: positiveNumber("--pace-ms", values["pace-ms"], true),
      timeoutMs: positiveNumber("--timeout-ms", values["timeout-ms"], true) ?? 10_000,
      dryRun: values["dry-run"] ?? false,
      pocketsphinx: nonEmpty(env.POCKETSPHINX_BIN),
      sox: nonEmpty(env.SOX_BIN),
    },
  };
}
