import { findBinary } from "./binaries.js";
import { freePort, LOOPBACK, tcpExchange } from "./ports.js";
import { spawnUntilReady, type ExitInfo, type ManagedProcess, type StopOptions } from "./process.js";

export interface StartNatsOptions {
  /** Fixed client port; default a free one. */
  port?: number;
  /** Also serve HTTP monitoring on a free loopback port (off by default). */
  monitoring?: boolean;
  /** Extra nats-server arguments, appended. */
  args?: readonly string[];
  /** Default 15 s. */
  startTimeoutMs?: number;
}

export interface NatsServer {
  /** nats://127.0.0.1:<port> */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** http://127.0.0.1:<port> when started with { monitoring: true }. */
  readonly monitoringUrl: string | undefined;
  /** The current process (replaced by restart()). */
  readonly process: ManagedProcess;
  logs(): string;
  /** True when a client connection gets the server's INFO line. */
  isReady(): Promise<boolean>;
  /** SIGTERM, SIGKILL after a timeout. Pass { signal: 'SIGKILL' } to simulate a crash. */
  stop(options?: StopOptions): Promise<ExitInfo>;
  /** Stops it (if still running) and starts a fresh one on the same port(s); also works after stop(). */
  restart(options?: StopOptions): Promise<void>;
}

export function natsServerBinary(): string {
  return findBinary("nats-server", {
    envVar: "NATS_SERVER_BIN",
    // Debian installs it in /usr/sbin, which is not on every user's PATH.
    extraDirs: ["/usr/sbin", "/usr/local/sbin"],
    hint: "Run `bash scripts/setup.sh` (installs the Debian package nats-server) or set NATS_SERVER_BIN.",
  });
}

async function sendsInfo(port: number): Promise<boolean> {
  const greeting = await tcpExchange(port, { until: /\r\n/, timeoutMs: 1_000 });
  return greeting.startsWith("INFO ");
}

/**
 * A real nats-server bound to 127.0.0.1 on a free port, no cluster, no
 * JetStream, no monitoring unless asked. Resolves once it greets clients.
 */
export async function startNats(options: StartNatsOptions = {}): Promise<NatsServer> {
  const binary = natsServerBinary();
  const port = options.port ?? (await freePort());
  const monitoringPort = options.monitoring ? await freePort() : undefined;
  const timeoutMs = options.startTimeoutMs ?? 15_000;

  const args = [
    "--addr",
    LOOPBACK,
    "--port",
    String(port),
    ...(monitoringPort ? ["--http_port", String(monitoringPort)] : []),
    ...(options.args ?? []),
  ];

  const launch = (): Promise<ManagedProcess> =>
    spawnUntilReady(
      { name: `nats-server:${port}`, command: binary, args, env: { PATH: process.env.PATH } },
      { check: () => sendsInfo(port), timeoutMs, description: `nats-server on port ${port} to greet clients` },
    );

  let current = await launch();

  return {
    url: `nats://${LOOPBACK}:${port}`,
    host: LOOPBACK,
    port,
    monitoringUrl: monitoringPort ? `http://${LOOPBACK}:${monitoringPort}` : undefined,
    get process() {
      return current;
    },
    logs: () => current.logs(),
    isReady: () => sendsInfo(port).catch(() => false),
    stop: (stopOptions) => current.stop(stopOptions),
    async restart(stopOptions) {
      await current.stop(stopOptions);
      current = await launch();
    },
  };
}
