// anycable-go for the benchmarks: the test harness's startAnycableGo, plus Prometheus metrics and
// pinning. Counter names are anycable-go 1.5.6's (rpc/rpc.go, node/node.go), exported with the
// "anycable_go_" prefix by metrics/prometheus.go.
import { startAnycableGo, type AnycableGo, type StartAnycableGoOptions } from "../../test/support/anycable-go.js";
import { pin } from "./children.js";
import { sleep } from "./stats.js";

export const METRIC = {
  rpcCalls: "rpc_call_total",
  rpcErrors: "rpc_error_total",
  rpcRetries: "rpc_retries_total",
  rpcPending: "rpc_pending_num",
  failedAuths: "failed_auths_total",
  clients: "clients_num",
  disconnectQueue: "disconnect_queue_size",
  broadcastMessages: "broadcast_msg_total",
  serverMessages: "server_msg_total",
} as const;

export type Metrics = Record<string, number>;

/** Flags every benchmark's anycable-go gets on top of the harness defaults. */
export function benchFlags(): string[] {
  return [
    "--metrics_http=/metrics",
    // Gauges (clients_num, disconnect_queue_size) refresh at this interval; drain checks read them.
    "--stats_refresh_interval=1",
    "--log_level=warn",
  ];
}

export async function startBenchAnycable(options: StartAnycableGoOptions, cpus: string | undefined): Promise<AnycableGo> {
  const anycable = await startAnycableGo({ ...options, args: [...benchFlags(), ...(options.args ?? [])] });
  await pin(anycable.process.pid, cpus);
  return anycable;
}

export async function readMetrics(anycable: AnycableGo): Promise<Metrics> {
  const response = await fetch(`${anycable.httpUrl}/metrics`, { signal: AbortSignal.timeout(5_000) });
  const text = await response.text();
  const metrics: Metrics = {};
  for (const line of text.split("\n")) {
    const match = /^anycable_go_([a-z_]+)(?:\{[^}]*\})?\s+(\d+(?:\.\d+)?)$/.exec(line);
    if (match) metrics[match[1] as string] = Number(match[2]);
  }
  return metrics;
}

export function delta(after: Metrics, before: Metrics, name: string): number {
  return (after[name] ?? 0) - (before[name] ?? 0);
}

/**
 * Waits until anycable-go has no clients, an empty Disconnect queue, no pending RPC and an RPC
 * call counter that stopped moving: every Disconnect of the last storm has been served.
 */
export async function waitForDrain(
  anycable: AnycableGo,
  timeoutMs: number,
): Promise<{ seconds: number; metrics: Metrics; drained: boolean }> {
  const started = Date.now();
  let previousCalls = -1;
  let metrics = await readMetrics(anycable);
  for (;;) {
    const calls = metrics[METRIC.rpcCalls] ?? 0;
    const quiet =
      (metrics[METRIC.clients] ?? 0) === 0 && (metrics[METRIC.disconnectQueue] ?? 0) === 0 && (metrics[METRIC.rpcPending] ?? 0) === 0;
    if (quiet && calls === previousCalls) return { seconds: (Date.now() - started) / 1000, metrics, drained: true };
    if (Date.now() - started > timeoutMs) return { seconds: (Date.now() - started) / 1000, metrics, drained: false };
    previousCalls = calls;
    // Longer than the gauge refresh interval, so two equal readings mean nothing moved.
    await sleep(1_100);
    metrics = await readMetrics(anycable);
  }
}
