// Benchmark 2, the connection storm: N WebSocket clients connect to a real anycable-go and
// subscribe to their own call channel (a Connect with x-twilio-account and a bridge credential, and a subscribe RPC each),
// with --rpc_concurrency 28 (the default), 64 and 256, against the ceiling of the same anycable-go
// with --noauth and a signed $pubsub stream (nothing on the RPC path). The RPC process's heap and
// RSS are read after every storm's Disconnects have drained, after a forced GC.
import type { BenchContext } from "./lib/context.js";
import type { BenchResult, Cell, Table } from "./lib/report.js";
import {
  defaultSizes,
  deploy,
  failureText,
  medianOf,
  StormRunner,
  sumOf,
  type Deployment,
  type DeploymentSpec,
  type StormRecord,
} from "./lib/storm-harness.js";

export async function connectionStorm(ctx: BenchContext): Promise<BenchResult> {
  const sizes = defaultSizes(ctx);
  const concurrencies = ctx.smoke ? [28] : [28, 64, 256];
  const specs: DeploymentSpec[] = [
    ...concurrencies.map((c): DeploymentSpec => ({
      name: `ours-c${c}`,
      label: `ours, --rpc_concurrency=${c}`,
      kind: "ours",
      rpcConcurrency: c,
      cpus: ctx.serverCpu,
    })),
    { name: "ceiling", label: "ceiling: --noauth + signed $pubsub (no RPC)", kind: "ceiling", cpus: ctx.serverCpu },
  ];
  const deployments: Deployment[] = [];
  let runner: StormRunner | undefined;
  try {
    for (const spec of specs) {
      ctx.progress(`storm: starting ${spec.label}`);
      deployments.push(await deploy(spec, ctx));
    }
    runner = await StormRunner.start(ctx);
    const records = await runner.interleave(deployments, sizes, ctx.reps);
    const memorySeries = memoryOf(records, "ours-c28");
    return summarise(records, deployments, sizes, ctx, memorySeries);
  } finally {
    await runner?.stop();
    await Promise.all(deployments.map((d) => d.stop()));
  }
}

export function memoryOf(
  records: StormRecord[],
  deployment: string,
): { storm: number; warmUp: boolean; clients: number; rssMb: number; heapMb: number }[] {
  return records
    .filter((r) => r.deployment === deployment && r.memory)
    .map((r, i) => ({
      storm: i + 1,
      warmUp: r.round === 0,
      clients: r.clients,
      rssMb: (r.memory?.rss ?? 0) / 2 ** 20,
      heapMb: (r.memory?.heapUsed ?? 0) / 2 ** 20,
    }));
}

export function stormRows(
  records: StormRecord[],
  deployments: Deployment[],
  sizes: number[],
  ceiling?: string,
): { rows: Cell[][]; medians: Record<string, unknown>[] } {
  const rows: Cell[][] = [];
  const medians: Record<string, unknown>[] = [];
  for (const clients of sizes) {
    const ceilingSeconds = ceiling ? medianOf(records, ceiling, clients, (r) => r.seconds) : Number.NaN;
    for (const d of deployments) {
      const m = (pick: (r: StormRecord) => number | null): number => medianOf(records, d.name, clients, pick);
      const seconds = m((r) => r.seconds);
      const row = {
        deployment: d.name,
        clients,
        seconds,
        clientsPerSecond: m((r) => r.clientsPerSecond),
        p50Ms: m((r) => r.p50Ms),
        p99Ms: m((r) => r.p99Ms),
        failures: failureText(records, d.name, clients),
        rpcCalls: m((r) => r.rpcCalls),
        rpcErrors: sumOf(records, d.name, clients, (r) => r.rpcErrors),
        rpcRetries: sumOf(records, d.name, clients, (r) => r.rpcRetries),
        rpcCpuUsPerCall: m((r) => r.rpcCpuUsPerCall),
        anycableCpuMsPerClient: m((r) => (r.anycableCpuSeconds / clients) * 1000),
        ceilingRatio: ceiling ? ceilingSeconds / seconds : null,
      };
      medians.push(row);
      rows.push([
        clients,
        d.label,
        seconds,
        row.clientsPerSecond,
        row.p50Ms,
        row.p99Ms,
        row.failures,
        row.rpcErrors,
        row.rpcRetries,
        row.rpcCpuUsPerCall,
        row.anycableCpuMsPerClient,
        ...(ceiling ? [Number.isFinite(row.ceilingRatio ?? Number.NaN) ? (row.ceilingRatio as number).toFixed(2) : "–"] : []),
      ]);
    }
  }
  return { rows, medians };
}

/** Decimals of STORM_COLUMNS: seconds and anycable-go ms with two, counts and rates whole. */
export const STORM_DIGITS = [0, undefined, 2, 0, 0, 0, undefined, 0, 0, 0, 2];

export const STORM_COLUMNS = [
  "clients",
  "deployment",
  "s to all confirmed",
  "clients/s",
  "p50 ms",
  "p99 ms",
  "failures",
  "rpc_error_total",
  "rpc_retries_total",
  "RPC CPU µs/call",
  "anycable-go CPU ms/client",
];

function summarise(
  records: StormRecord[],
  deployments: Deployment[],
  sizes: number[],
  ctx: BenchContext,
  memory: ReturnType<typeof memoryOf>,
): BenchResult {
  const { rows, medians } = stormRows(records, deployments, sizes, "ceiling");
  const table: Table = {
    title: `Connection storm through anycable-go — medians of ${ctx.reps} interleaved rounds per cell`,
    columns: [...STORM_COLUMNS, "speed vs ceiling"],
    digits: STORM_DIGITS,
    rows,
    notes: [
      `anycable-go and the RPC process pinned to CPU ${ctx.serverCpu ?? "(unpinned)"}, the ws load process to CPU ${ctx.driverCpu ?? "(unpinned)"}; clients open in a sliding wave of at most 1,000 handshakes in flight, well under the listen backlog (net.core.somaxconn, in the machine line).`,
      "Every client: WebSocket upgrade with x-twilio-account and its own x-twilio-bridge-credential (as the media-stream bridge connects), Connect RPC, subscribe RPC to its own call channel (the app records the call and broadcasts Cable Ready updates over NATS to anycable-go's embedded server).",
      "rpc_error_total / rpc_retries_total are anycable-go's own counters (summed over the rounds); RPC CPU is utime+stime of the RPC process over the storm divided by rpc_call_total's increase.",
      "After each storm all sockets close and the runner waits until clients_num, disconnect_queue_size and rpc_pending_num are 0 and rpc_call_total stops moving (Disconnect rate raised to 1,000/s).",
    ],
  };
  const memoryTable: Table = {
    title: "RPC process memory after each storm (ours, --rpc_concurrency=28), after every Disconnect drained and a forced GC",
    columns: ["storm #", "clients", "RSS MB", "heap used MB"],
    digits: [undefined, 0, 1, 1],
    rows: memory.map((m) => [m.warmUp ? `${m.storm} (warm-up)` : m.storm, m.clients, m.rssMb, m.heapMb]),
    notes: [
      "A flat heap across storms means nothing is kept per connection once its Disconnect has run (the call registry is bounded to 200 calls by design).",
    ],
  };
  return {
    name: "storm",
    title: "Connection storm",
    tables: [table, memoryTable],
    data: { sizes, medians, memory, runs: records },
    targets: [],
  };
}
