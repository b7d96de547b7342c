// Benchmark 2, the connection storm: N WebSocket clients connect to a real anycable-go and
// subscribe to their own call channel (a Connect with x-twilio-account and a bridge credential,
// and a subscribe RPC each), at --rpc_concurrency 28 (the default), 64 and 256, through three RPC
// servers side by side: ours with the real call monitor, ours with a do-nothing application of the
// same shape (the framework alone), and a bare grpc-js server answering the same replies with
// nothing behind them (the limit of any RPC server on this stack); and the ceiling of the same
// anycable-go with --noauth and a signed $pubsub stream (nothing on the RPC path). After each
// storm, h2load drives the same RPC process with the same requests, so its CPU per call under
// anycable-go's traffic stands beside its CPU per call under a benchmark load. The real app's heap
// and RSS are read after every storm's Disconnects have drained, after a forced GC.
import type { BenchContext } from "./lib/context.js";
import type { BenchResult, Cell, Table, Target } from "./lib/report.js";
import { median } from "./lib/stats.js";
import { h2loadCpu, h2loadRequests, stormReplies, type H2loadCpuRecord } from "./lib/storm-cpu.js";
import {
  defaultSizes,
  deploy,
  failureText,
  medianOf,
  pairedRatio,
  StormRunner,
  sumOf,
  type Deployment,
  type DeploymentSpec,
  type StormRecord,
} from "./lib/storm-harness.js";

/** The RPC servers every storm setting runs, in the order the tables show them. */
const SERVERS = [
  {
    key: "ours",
    kind: "ours",
    // channels/app.ts's application and limits, with a registry that lets h2load's replayed call start again (see there).
    app: "bench/lib/call-monitor-app.ts",
    label: "ours, real app",
  },
  { key: "min", kind: "ours", app: "bench/lib/minimal-app.ts", label: "ours, minimal app (framework only)" },
  { key: "bare", kind: "bare", app: undefined, label: "bare grpc-js (the limit)" },
] as const;

type ServerKey = (typeof SERVERS)[number]["key"];

const nameOf = (key: ServerKey, concurrency: number): string => `${key}-c${concurrency}`;

/** Storm time of the real application ÷ the bare server's, at most (5,000 clients, every setting). */
const LIMIT_TARGET = 1.3;
/** RPC CPU per call in a storm ÷ the same server's under h2load, at most. */
const CPU_TARGET = 1.5;

export async function connectionStorm(ctx: BenchContext): Promise<BenchResult> {
  const sizes = defaultSizes(ctx);
  const concurrencies = ctx.rpcConcurrency ?? (ctx.smoke ? [28] : [28, 64, 256]);
  // Replies are checked against, and memory read from, the real app at the first setting.
  const referenceConcurrency = concurrencies[0] as number;
  const reference = nameOf("ours", referenceConcurrency);
  const specs: DeploymentSpec[] = [
    ...concurrencies.flatMap((c) =>
      SERVERS.map((server): DeploymentSpec => ({
        name: nameOf(server.key, c),
        label: `${server.label}, --rpc_concurrency=${c}`,
        kind: server.kind,
        app: server.app,
        rpcConcurrency: c,
        cpus: ctx.serverCpu,
      })),
    ),
    { name: "ceiling", label: "ceiling: --noauth + signed $pubsub (no RPC)", kind: "ceiling", cpus: ctx.serverCpu },
  ];
  const deployments: Deployment[] = [];
  let runner: StormRunner | undefined;
  try {
    for (const spec of specs) {
      ctx.progress(`storm: starting ${spec.label}`);
      deployments.push(await deploy(spec, ctx));
    }
    const replies = await checkReplies(deployments, reference);
    runner = await StormRunner.start(ctx);
    const cpuRecords: H2loadCpuRecord[] = [];
    const records = await runner.interleave(deployments, sizes, ctx.reps, async (d, record) => {
      if (d.rpc.length === 0 || record.round === 0) return;
      // Every server's byte count is checked against ours's replies: the same bytes, not just the same fields.
      const cpu = await h2loadCpu(d, replies, ctx, record);
      if (!cpu.everyCallAnswered)
        throw new Error(`storm: h2load against ${d.name} did not get a reply for every call: ${JSON.stringify(cpu)}`);
      cpuRecords.push(cpu);
    });
    return summarise(records, cpuRecords, deployments, sizes, concurrencies, ctx, memoryOf(records, reference), referenceConcurrency);
  } finally {
    await runner?.stop();
    await Promise.all(deployments.map((d) => d.stop()));
  }
}

/**
 * One storm Connect and subscribe through a real grpc-js client against every RPC server: each
 * must answer SUCCESS with exactly the replies of ours with the real application, or the servers
 * would not be doing the same job for anycable-go. Returns ours's replies (h2load checks every
 * run's bytes against them).
 */
async function checkReplies(deployments: Deployment[], referenceName: string): Promise<Record<string, unknown>> {
  const replies = new Map<string, Record<string, unknown>>();
  for (const d of deployments) if (d.rpc.length > 0) replies.set(d.name, await stormReplies(d));
  const reference = JSON.stringify(replies.get(referenceName));
  for (const [name, reply] of replies) {
    for (const [call, value] of Object.entries(reply)) {
      if ((value as { status?: number }).status !== 1)
        throw new Error(`storm: ${name} ${call}: expected SUCCESS, got ${JSON.stringify(value)}`);
    }
    if (JSON.stringify(reply) !== reference) throw new Error(`storm: ${name} answers ${JSON.stringify(reply)}, ours answers ${reference}`);
  }
  return replies.get(referenceName) as Record<string, unknown>;
}

export function memoryOf(
  records: StormRecord[],
  deployment: string,
): {
  storm: number;
  warmUp: boolean;
  clients: number;
  rssMb: number;
  heapMb: number;
  heapTotalMb: number;
  newSpaceMb: number;
  externalMb: number;
}[] {
  return records
    .filter((r) => r.deployment === deployment && r.memory)
    .map((r, i) => ({
      storm: i + 1,
      warmUp: r.round === 0,
      clients: r.clients,
      rssMb: (r.memory?.rss ?? 0) / 2 ** 20,
      heapMb: (r.memory?.heapUsed ?? 0) / 2 ** 20,
      heapTotalMb: (r.memory?.heapTotal ?? 0) / 2 ** 20,
      newSpaceMb: (r.memory?.newSpace ?? Number.NaN) / 2 ** 20,
      externalMb: (r.memory?.external ?? 0) / 2 ** 20,
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
  cpuRecords: H2loadCpuRecord[],
  deployments: Deployment[],
  sizes: number[],
  concurrencies: number[],
  ctx: BenchContext,
  memory: ReturnType<typeof memoryOf>,
  memoryConcurrency: number,
): BenchResult {
  const { rows, medians } = stormRows(records, deployments, sizes, "ceiling");
  const table: Table = {
    title: `Connection storm through anycable-go — medians of ${ctx.reps} interleaved rounds per cell`,
    columns: [...STORM_COLUMNS, "speed vs ceiling"],
    digits: STORM_DIGITS,
    rows,
    notes: [
      `anycable-go and the RPC process pinned to CPU ${ctx.serverCpu ?? "(unpinned)"}, the ws load process to CPU ${ctx.driverCpu ?? "(unpinned)"}; clients open in a sliding wave of at most 1,000 handshakes in flight, well under the listen backlog (net.core.somaxconn, in the machine line).`,
      "Every client: WebSocket upgrade with x-twilio-account and its own x-twilio-bridge-credential (as the media-stream bridge connects), Connect RPC, subscribe RPC to its own call channel. The real app records the call and broadcasts Cable Ready updates over NATS to anycable-go's embedded server; the minimal app and the bare server give the same replies (checked before the first storm) and do nothing else.",
      "rpc_error_total / rpc_retries_total are anycable-go's own counters (summed over the rounds); RPC CPU is utime+stime of the RPC process over the storm divided by rpc_call_total's increase.",
      "After each storm all sockets close and the runner waits until clients_num, disconnect_queue_size and rpc_pending_num are 0 and rpc_call_total stops moving (Disconnect rate raised to 1,000/s).",
    ],
  };

  const limit = limitRatios(records, sizes, concurrencies);
  const limitTable: Table = {
    title:
      "The limit — ours ÷ bare grpc-js behind the same anycable-go, per round then median (1.00 = as fast as an RPC server doing nothing)",
    columns: [
      "clients",
      "--rpc_concurrency",
      "storm time, real app ÷ bare",
      "storm time, framework ÷ bare",
      "RPC CPU/call, real app ÷ bare",
      "RPC CPU/call, framework ÷ bare",
    ],
    digits: [0, 0, 2, 2, 2, 2],
    rows: limit.map((l) => [l.clients, l.concurrency, l.realSeconds, l.frameworkSeconds, l.realCpu, l.frameworkCpu]),
    notes: [
      "bare grpc-js: grpc-js with our server options, answering every storm call what ours answers for it (the caller's identifiers, a welcome with its session id, a confirmation echoing the identifier) from template strings: no framework, no application, no broadcast, no logging.",
      `Target: a ${Math.max(...sizes).toLocaleString("en-US")}-client storm with the real app at most ${LIMIT_TARGET}× the bare server's time at every setting.`,
    ],
  };

  const cpu = cpuRows(records, cpuRecords, deployments, sizes);
  const cpuTable: Table = {
    title: "RPC CPU per call: during the storm vs the same process under h2load right after it, per round then median",
    columns: [
      "clients",
      "deployment",
      "storm µs/call",
      "h2load µs/call (Connect / subscribe)",
      "h2load µs/call, storm mix",
      "storm ÷ h2load",
    ],
    digits: [0, undefined, 0, undefined, 0, 2],
    rows: cpu.map((c) => [c.clients, c.label, c.stormUs, `${Math.round(c.connectUs)} / ${Math.round(c.subscribeUs)}`, c.mixUs, c.ratio]),
    notes: [
      `h2load: one HTTP/2 connection, as many calls in flight as the deployment's --rpc_concurrency, ${h2loadRequests(ctx).toLocaleString("en-US")} Connects then as many subscribes with the storm's request bytes, h2load on the load core; every run checked (DATA bytes = calls × ours's reply length).`,
      "storm mix: a storm makes one Connect and one subscribe per client, so the h2load figure it is compared with is the mean of the two.",
      `Target: the real app's storm CPU per call at most ${CPU_TARGET}× its CPU per call under h2load.`,
    ],
  };

  const memoryTable: Table = {
    title: `RPC process memory after each storm (ours, real app, --rpc_concurrency=${memoryConcurrency}), after every Disconnect drained and a forced GC`,
    columns: ["storm #", "clients", "RSS MB", "V8 heap reserved MB", "of which young generation MB", "heap used MB", "external MB"],
    digits: [undefined, 0, 1, 1, 1, 1, 1],
    rows: memory.map((m) => [
      m.warmUp ? `${m.storm} (warm-up)` : m.storm,
      m.clients,
      m.rssMb,
      m.heapTotalMb,
      m.newSpaceMb,
      m.heapMb,
      m.externalMb,
    ]),
    notes: [
      "A flat heap used means nothing is kept per connection once its Disconnect has run (the call registry is bounded to 200 calls by design).",
      "V8 heap reserved (process.memoryUsage().heapTotal) is what V8 holds from the OS for its heap, live or not: it grows once a storm's allocation rate makes V8 enlarge the young generation, and V8 keeps it. RSS follows it, not the heap used (docs/performance.md, memory).",
    ],
  };
  return {
    name: "storm",
    title: "Connection storm",
    tables: [table, limitTable, cpuTable, memoryTable],
    data: { sizes, medians, limit, cpu, memory, runs: records, h2loadRuns: cpuRecords },
    targets: targetsOf(records, limit, cpu, sizes, concurrencies, ctx),
  };
}

interface LimitRow {
  clients: number;
  concurrency: number;
  realSeconds: number;
  frameworkSeconds: number;
  realCpu: number;
  frameworkCpu: number;
}

function limitRatios(records: StormRecord[], sizes: number[], concurrencies: number[]): LimitRow[] {
  return sizes.flatMap((clients) =>
    concurrencies.map((c) => {
      const bare = nameOf("bare", c);
      const ratio = (key: ServerKey, pick: (r: StormRecord) => number | null): number =>
        pairedRatio(records, clients, pick, nameOf(key, c), bare);
      return {
        clients,
        concurrency: c,
        realSeconds: ratio("ours", (r) => r.seconds),
        frameworkSeconds: ratio("min", (r) => r.seconds),
        realCpu: ratio("ours", (r) => r.rpcCpuUsPerCall),
        frameworkCpu: ratio("min", (r) => r.rpcCpuUsPerCall),
      };
    }),
  );
}

interface CpuRow {
  clients: number;
  deployment: string;
  label: string;
  stormUs: number;
  connectUs: number;
  subscribeUs: number;
  mixUs: number;
  /** Storm ÷ h2load per round, then the median. */
  ratio: number;
}

function cpuRows(records: StormRecord[], cpuRecords: H2loadCpuRecord[], deployments: Deployment[], sizes: number[]): CpuRow[] {
  return sizes.flatMap((clients) =>
    deployments
      .filter((d) => d.rpc.length > 0)
      .map((d) => {
        const runs = cpuRecords.filter((r) => r.deployment === d.name && r.clients === clients);
        const ratios = runs.flatMap((h) => {
          const storm = records.find((r) => r.deployment === d.name && r.clients === clients && r.round === h.round);
          return storm?.rpcCpuUsPerCall ? [storm.rpcCpuUsPerCall / h.mixUsPerCall] : [];
        });
        return {
          clients,
          deployment: d.name,
          label: d.label,
          stormUs: medianOf(records, d.name, clients, (r) => r.rpcCpuUsPerCall),
          connectUs: median(runs.map((r) => r.connectUsPerCall)),
          subscribeUs: median(runs.map((r) => r.subscribeUsPerCall)),
          mixUs: median(runs.map((r) => r.mixUsPerCall)),
          ratio: median(ratios),
        };
      }),
  );
}

function targetsOf(
  records: StormRecord[],
  limit: LimitRow[],
  cpu: CpuRow[],
  sizes: number[],
  concurrencies: number[],
  ctx: BenchContext,
): Target[] {
  const largest = Math.max(...sizes);
  const judged = (met: boolean): boolean | null => (ctx.smoke ? null : met);
  const targets: Target[] = [];
  for (const c of concurrencies) {
    const names = SERVERS.map((s) => nameOf(s.key, c));
    const failures = sizes.flatMap((clients) => names.map((name) => failureText(records, name, clients))).filter((f) => f !== "0");
    const errors = sizes.reduce(
      (sum, clients) => sum + names.reduce((n, name) => n + sumOf(records, name, clients, (r) => r.rpcErrors), 0),
      0,
    );
    targets.push({
      description: `--rpc_concurrency=${c}: every storm of every server with 0 failed clients and 0 anycable-go RPC errors`,
      met: judged(failures.length === 0 && errors === 0),
      value: `failures: ${failures.length === 0 ? "0" : failures.join("; ")}, rpc_error_total: ${errors}`,
    });
  }
  for (const row of limit.filter((l) => l.clients === largest)) {
    targets.push({
      description: `${largest.toLocaleString("en-US")}-client storm, --rpc_concurrency=${row.concurrency}: real app ≤ ${LIMIT_TARGET}× the bare grpc-js server's time`,
      met: judged(row.realSeconds <= LIMIT_TARGET),
      value: `${row.realSeconds.toFixed(2)}× (framework only: ${row.frameworkSeconds.toFixed(2)}×)`,
    });
  }
  for (const row of cpu.filter((r) => r.clients === largest && r.deployment.startsWith("ours-"))) {
    const framework = cpu.find((r) => r.clients === largest && r.deployment === row.deployment.replace(/^ours-/, "min-"));
    const bare = cpu.find((r) => r.clients === largest && r.deployment === row.deployment.replace(/^ours-/, "bare-"));
    targets.push({
      description: `${largest.toLocaleString("en-US")}-client storm, ${row.label}: RPC CPU per call ≤ ${CPU_TARGET}× the same process's under h2load`,
      met: judged(row.ratio <= CPU_TARGET),
      value: `${row.ratio.toFixed(2)}× (${Math.round(row.stormUs)} vs ${Math.round(row.mixUs)} µs; framework only ${framework?.ratio.toFixed(2) ?? "–"}×, bare ${bare?.ratio.toFixed(2) ?? "–"}×)`,
    });
  }
  return targets;
}
