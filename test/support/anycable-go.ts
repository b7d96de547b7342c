import { execFileSync } from "node:child_process";
import { join } from "node:path";

import { findBinary, isExecutableFile, REPO_ROOT, which } from "./binaries.js";
import { freePort, LOOPBACK } from "./ports.js";
import { spawnUntilReady, type ExitInfo, type ManagedProcess, type StopOptions } from "./process.js";

const PROVISION_HINT =
  "Run `bash scripts/anycable-go.sh` (or `bash scripts/setup.sh`) to provide one, " + "or set ANYCABLE_GO_BIN=/path/to/anycable-go.";

/**
 * The anycable-go binary tests run, resolved like scripts/anycable-go.sh does:
 * $ANYCABLE_GO_BIN, then PATH, then bin/anycable-go.
 */
export function anycableGoBinary(): string {
  if (process.env.ANYCABLE_GO_BIN) {
    return findBinary("anycable-go", { envVar: "ANYCABLE_GO_BIN", hint: PROVISION_HINT });
  }
  const onPath = which("anycable-go");
  if (onPath) return onPath;
  const built = join(REPO_ROOT, "bin", "anycable-go");
  if (isExecutableFile(built)) return built;
  throw new Error(`anycable-go not found (looked in: $ANYCABLE_GO_BIN, PATH, ${built}). ${PROVISION_HINT}`);
}

const versions = new Map<string, string>();

/** `anycable-go -v` of the given (default: resolved) binary, e.g. "1.5.6". */
export function anycableGoVersion(binary: string = anycableGoBinary()): string {
  let version = versions.get(binary);
  if (version === undefined) {
    const out = execFileSync(binary, ["-v"], {
      encoding: "utf8",
      env: { PATH: process.env.PATH ?? "", ANYCABLE_DISABLE_TELEMETRY: "true" },
      timeout: 10_000,
    });
    version = out.trim().split("\n")[0]?.trim() ?? "";
    versions.set(binary, version);
  }
  return version;
}

export interface StartAnycableGoOptions {
  /**
   * gRPC address of the RPC server, e.g. "127.0.0.1:50123". Default: a free
   * loopback port nothing listens on, so a stray server on 50051 is never hit.
   */
  rpcHost?: string;
  /**
   * Broadcast adapter(s), passed as --broadcast_adapter. Default "http" (1.5+
   * defaults to "http,redis" and exits without Redis). When it includes
   * "http", --http_broadcast_port gets a free port (see `broadcastUrl`).
   */
  broadcastAdapter?: string;
  /**
   * Serve HTTP broadcasts on the main port (--http_broadcast_port set to it)
   * instead of a separate free one, as a deployment with a broadcast key or
   * --secret usually does. Default false.
   */
  httpBroadcastOnMainPort?: boolean;
  /** Run the embedded NATS server on a free loopback port (see `natsUrl`). */
  embedNats?: boolean;
  /** Headers proxied to RPC (--headers), e.g. ["cookie", "x-twilio-account"]. */
  headers?: readonly string[];
  /** --shutdown_timeout in seconds. Default 2, so stop() is quick; anycable-go's own default is 30. */
  shutdownTimeoutSec?: number;
  /** Adds --debug. */
  debug?: boolean;
  /**
   * Extra flags, appended last. A flag given here replaces the harness default
   * of the same name (e.g. args: ["--path=/ws"] or ["--broadcast_adapter=nats"]).
   */
  args?: readonly string[];
  /** Extra environment (the child gets only PATH, HOME, ANYCABLE_DISABLE_TELEMETRY and this). */
  env?: Record<string, string>;
  /** Binary to run; default anycableGoBinary(). */
  binary?: string;
  /** Default 20 s. */
  startTimeoutMs?: number;
}

export interface AnycableGo {
  /** ws://127.0.0.1:<port>/cable (first --path if one was given) */
  readonly url: string;
  /** http://127.0.0.1:<port> */
  readonly httpUrl: string;
  readonly port: number;
  /** `-v` output, e.g. "1.5.6". */
  readonly version: string;
  /** http://127.0.0.1:<port>/_broadcast when the http adapter is on. */
  readonly broadcastUrl: string | undefined;
  /** nats://127.0.0.1:<port> of the embedded NATS server when embedNats is on. */
  readonly natsUrl: string | undefined;
  /** The exact argv given to anycable-go (after the binary). */
  readonly args: readonly string[];
  readonly process: ManagedProcess;
  logs(): string;
  /** SIGTERM (graceful: clients get a disconnect), SIGKILL after a timeout. */
  stop(options?: StopOptions): Promise<ExitInfo>;
}

function flagName(arg: string): string | undefined {
  const match = /^--?([A-Za-z0-9_-]+)/.exec(arg);
  return match?.[1];
}

function flagValue(args: readonly string[], name: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === `--${name}` || arg === `-${name}`) return args[i + 1];
    const prefix = arg.startsWith(`--${name}=`) ? `--${name}=` : arg.startsWith(`-${name}=`) ? `-${name}=` : undefined;
    if (prefix) return arg.slice(prefix.length);
  }
  return undefined;
}

/** Whether an `anycable-go -v` version is major.minor or newer, e.g. for features that need 1.6. */
export function anycableGoAtLeast(version: string, major: number, minor: number): boolean {
  const [a = 0, b = 0] = version.split(".").map((part) => Number.parseInt(part, 10));
  return a > major || (a === major && b >= minor);
}

async function healthy(url: string): Promise<boolean> {
  const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
  await response.body?.cancel();
  return response.status === 200;
}

const ADDRESS_IN_USE = /address already in use/i;

async function startOnce(options: StartAnycableGoOptions): Promise<AnycableGo> {
  const binary = options.binary ?? anycableGoBinary();
  const version = anycableGoVersion(binary);
  const userArgs = options.args ?? [];
  const overridden = new Set(userArgs.map(flagName).filter((name): name is string => Boolean(name)));

  const port = await freePort();
  const rpcHost = options.rpcHost ?? `${LOOPBACK}:${await freePort()}`;
  const adapter = flagValue(userArgs, "broadcast_adapter") ?? options.broadcastAdapter ?? "http";
  const usesHttpBroadcast = adapter
    .split(",")
    .map((s) => s.trim())
    .includes("http");

  const defaults: string[] = [
    `--host=${LOOPBACK}`,
    `--port=${port}`,
    `--rpc_host=${rpcHost}`,
    `--broadcast_adapter=${adapter}`,
    `--shutdown_timeout=${options.shutdownTimeoutSec ?? 2}`,
  ];
  // A project anycable.toml (or one in /etc) must not change what tests run; config files
  // (and this flag) arrived in 1.5.
  if (anycableGoAtLeast(version, 1, 5)) defaults.push("--ignore-config-path");

  let broadcastPort: number | undefined;
  if (usesHttpBroadcast) {
    const given = flagValue(userArgs, "http_broadcast_port");
    const mainPort = Number(flagValue(userArgs, "port") ?? port);
    broadcastPort = given ? Number(given) : options.httpBroadcastOnMainPort ? mainPort : await freePort();
    defaults.push(`--http_broadcast_port=${broadcastPort}`);
  }

  let natsUrl: string | undefined;
  if (options.embedNats) {
    // Only the client listener is configured: with no --enats_cluster /
    // --enats_gateway the embedded server opens no cluster or gateway ports.
    natsUrl = flagValue(userArgs, "enats_addr") ?? `nats://${LOOPBACK}:${await freePort()}`;
    defaults.push("--embed_nats", `--enats_addr=${natsUrl}`);
  }
  if (options.headers) defaults.push(`--headers=${options.headers.join(",")}`);
  if (options.debug) defaults.push("--debug");

  const args = [...defaults.filter((arg) => !overridden.has(flagName(arg) ?? "")), ...userArgs];
  const listenPort = Number(flagValue(args, "port") ?? port);
  const wsPath = (flagValue(args, "path") ?? "/cable").split(",")[0] as string;
  const healthPath = flagValue(args, "health-path") ?? "/health";
  const broadcastPath = flagValue(args, "http_broadcast_path") ?? "/_broadcast";
  const effectiveBroadcastPort = Number(flagValue(args, "http_broadcast_port") ?? broadcastPort);

  const httpUrl = `http://${LOOPBACK}:${listenPort}`;
  const proc = await spawnUntilReady(
    {
      name: `anycable-go:${listenPort}`,
      command: binary,
      args,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "",
        ANYCABLE_DISABLE_TELEMETRY: "true",
        ...options.env,
      },
    },
    {
      check: () => healthy(`${httpUrl}${healthPath}`),
      timeoutMs: options.startTimeoutMs ?? 20_000,
      description: `anycable-go ${httpUrl}${healthPath} to answer 200`,
    },
  );

  return {
    url: `ws://${LOOPBACK}:${listenPort}${wsPath}`,
    httpUrl,
    port: listenPort,
    version,
    broadcastUrl: usesHttpBroadcast ? `http://${LOOPBACK}:${effectiveBroadcastPort}${broadcastPath}` : undefined,
    natsUrl,
    args,
    process: proc,
    logs: () => proc.logs(),
    stop: (stopOptions) => proc.stop(stopOptions),
  };
}

/**
 * Starts a stock anycable-go on 127.0.0.1 and free ports with a clean
 * environment (no ANYCABLE_* or REDIS_URL from the parent), and resolves once
 * GET /health answers 200. Retries a couple of times when a port picked by
 * freePort() was taken by someone else in the meantime.
 */
export async function startAnycableGo(options: StartAnycableGoOptions = {}): Promise<AnycableGo> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (attempt >= 3 || !ADDRESS_IN_USE.test(message)) throw error;
    }
  }
}
