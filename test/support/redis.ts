import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { findBinary } from "./binaries.js";
import { freePort, LOOPBACK, tcpExchange } from "./ports.js";
import { spawnUntilReady, type ExitInfo, type ManagedProcess, type StopOptions } from "./process.js";

export interface StartRedisOptions {
  /** Fixed port; default a free one. */
  port?: number;
  /** Extra redis-server arguments, appended (later ones win in redis). */
  args?: readonly string[];
  /** Default 15 s. */
  startTimeoutMs?: number;
}

export interface RedisServer {
  /** redis://127.0.0.1:<port> */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** The current process (replaced by restart()). */
  readonly process: ManagedProcess;
  logs(): string;
  /** True when the server answers PING with PONG. */
  ping(): Promise<boolean>;
  /**
   * Stops redis-server (SIGTERM, SIGKILL after a timeout) and removes its
   * working directory. Pass { signal: 'SIGKILL' } to simulate a crash.
   */
  stop(options?: StopOptions): Promise<ExitInfo>;
  /**
   * Stops it (if still running) and starts a fresh one on the same port. Data
   * does not survive (no persistence). Also works after stop(), so a test can
   * keep a broker down for a while and then bring it back.
   */
  restart(options?: StopOptions): Promise<void>;
}

export function redisServerBinary(): string {
  return findBinary("redis-server", {
    envVar: "REDIS_SERVER_BIN",
    extraDirs: ["/usr/sbin", "/usr/local/sbin"],
    hint: "Run `bash scripts/setup.sh` (installs the Debian package redis-server) or set REDIS_SERVER_BIN.",
  });
}

const PING = "*1\r\n$4\r\nPING\r\n";

async function answersPing(port: number): Promise<boolean> {
  const reply = await tcpExchange(port, { send: PING, until: /\r\n/, timeoutMs: 1_000 });
  return reply.startsWith("+PONG");
}

/**
 * A real redis-server on 127.0.0.1 and a free port: no persistence, no config
 * file, a private temporary working directory. Resolves once it answers PING.
 */
export async function startRedis(options: StartRedisOptions = {}): Promise<RedisServer> {
  const binary = redisServerBinary();
  const port = options.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), "test-redis-"));
  const timeoutMs = options.startTimeoutMs ?? 15_000;

  const args = [
    "--port",
    String(port),
    "--bind",
    LOOPBACK,
    "--save",
    "",
    "--appendonly",
    "no",
    "--dir",
    dir,
    "--daemonize",
    "no",
    "--logfile",
    "",
    ...(options.args ?? []),
  ];

  const launch = (): Promise<ManagedProcess> => {
    // stop() removes the directory; a restart after it needs it back.
    mkdirSync(dir, { recursive: true });
    return spawnUntilReady(
      { name: `redis-server:${port}`, command: binary, args, env: { PATH: process.env.PATH } },
      { check: () => answersPing(port), timeoutMs, description: `redis-server on port ${port} to answer PING` },
    );
  };

  let current = await launch().catch((error: unknown) => {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  });

  return {
    url: `redis://${LOOPBACK}:${port}`,
    host: LOOPBACK,
    port,
    get process() {
      return current;
    },
    logs: () => current.logs(),
    ping: () => answersPing(port).catch(() => false),
    async stop(stopOptions) {
      const info = await current.stop(stopOptions);
      rmSync(dir, { recursive: true, force: true });
      return info;
    },
    async restart(stopOptions) {
      await current.stop(stopOptions);
      current = await launch();
    },
  };
}
