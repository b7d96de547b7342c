import { freePort } from "./free-port.js";
import { spawnService, type Service } from "./processes.js";
import { portAccepts } from "./wait.js";

export async function startRedis(port?: number): Promise<Service> {
  const p = port ?? (await freePort());
  return spawnService({
    name: "redis-server",
    command: "redis-server",
    // No persistence: a restart starts empty, like a broker that lost its state.
    args: ["--port", String(p), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "yes", "--daemonize", "no"],
    port: p,
    ready: async (output) => output.includes("Ready to accept connections") && (await portAccepts(p)),
  });
}

export interface NatsOptions {
  port?: number;
  /** Also serve nats-server's HTTP monitoring (/connz, /subsz) on this port. */
  monitorPort?: number;
}

export async function startNats({ port, monitorPort }: NatsOptions = {}): Promise<Service> {
  const p = port ?? (await freePort());
  const monitor = monitorPort === undefined ? [] : ["-m", String(monitorPort)];
  return spawnService({
    name: "nats-server",
    command: "nats-server",
    args: ["-a", "127.0.0.1", "-p", String(p), ...monitor],
    port: p,
    ready: async (output) => output.includes("Server is ready") && (await portAccepts(p)),
  });
}

export interface AnycableOptions {
  /** Flags besides --host/--port, e.g. ["--broadcast_adapter=nats", "--nats_servers=…"]. */
  args: string[];
}

/** A stock anycable-go with a clean environment (no inherited ANYCABLE_*), ready once /health is 200. */
export async function startAnycable({ args }: AnycableOptions): Promise<Service> {
  const port = await freePort();
  return spawnService({
    name: "anycable-go",
    command: "anycable-go",
    args: ["--host", "127.0.0.1", "--port", String(port), "--shutdown_timeout", "1", ...args],
    port,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ANYCABLE_DISABLE_TELEMETRY: "true" },
    ready: async () => {
      try {
        const response = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(1_000) });
        await response.arrayBuffer();
        return response.status === 200;
      } catch {
        return false;
      }
    },
  });
}
