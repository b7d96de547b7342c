// Benchmark 4, the peer: the same call channel logic on @anycable/serverless-js, which speaks
// AnyCable's HTTP RPC (JSON POSTs to <rpc_host>/connect|command|disconnect), behind the same
// anycable-go with the same --rpc_concurrency, storming side by side with ours over gRPC and ours
// over HTTP RPC (the same transport as the peer, so that pair compares the frameworks alone).
import type { BenchContext } from "./lib/context.js";
import type { BenchResult, Table, Target } from "./lib/report.js";
import {
  defaultSizes,
  deploy,
  medianOf,
  pairedRatio,
  StormRunner,
  type Deployment,
  type DeploymentSpec,
  type StormRecord,
} from "./lib/storm-harness.js";
import { STORM_COLUMNS, STORM_DIGITS, stormRows } from "./storm.js";

export async function peerComparison(ctx: BenchContext): Promise<BenchResult> {
  const sizes = defaultSizes(ctx);
  const specs: DeploymentSpec[] = [
    { name: "ours", label: "ours (gRPC, one HTTP/2 connection)", kind: "ours", rpcConcurrency: 28, cpus: ctx.serverCpu },
    {
      name: "ours-http",
      label: "ours (HTTP RPC, bearer secret)",
      kind: "ours",
      transport: "http",
      rpcConcurrency: 28,
      cpus: ctx.serverCpu,
    },
    { name: "peer", label: "@anycable/serverless-js (HTTP RPC)", kind: "peer", rpcConcurrency: 28, cpus: ctx.serverCpu },
  ];
  const deployments: Deployment[] = [];
  let runner: StormRunner | undefined;
  try {
    for (const spec of specs) {
      ctx.progress(`peer: starting ${spec.label}`);
      deployments.push(await deploy(spec, ctx));
    }
    runner = await StormRunner.start(ctx);
    const records = await runner.interleave(deployments, sizes, ctx.reps);
    return summarise(records, deployments, sizes, ctx);
  } finally {
    await runner?.stop();
    await Promise.all(deployments.map((d) => d.stop()));
  }
}

function summarise(records: StormRecord[], deployments: Deployment[], sizes: number[], ctx: BenchContext): BenchResult {
  const { rows, medians } = stormRows(records, deployments, sizes);
  const pairs = [
    ["peer", "ours", "serverless-js ÷ ours (gRPC)"],
    ["peer", "ours-http", "serverless-js ÷ ours (HTTP RPC)"],
    ["ours-http", "ours", "ours HTTP RPC ÷ ours gRPC"],
  ] as const;
  const ratioRows = sizes.flatMap((clients) =>
    pairs.map(([numerator, denominator, label]) => [
      clients,
      label,
      pairedRatio(records, clients, (r) => r.seconds, numerator, denominator).toFixed(2),
      pairedRatio(records, clients, (r) => r.rpcCpuUsPerCall, numerator, denominator).toFixed(2),
      pairedRatio(records, clients, (r) => r.anycableCpuSeconds, numerator, denominator).toFixed(2),
    ]),
  );
  const largest = Math.max(...sizes);
  const speedup = pairedRatio(records, largest, (r) => r.seconds, "peer", "ours");
  const targets: Target[] = [
    {
      description: `${largest.toLocaleString("en-US")}-client storm: ours ≥ 1.5× faster than @anycable/serverless-js`,
      met: ctx.smoke ? null : speedup >= 1.5,
      value: `${speedup.toFixed(2)}×`,
    },
  ];
  const table: Table = {
    title: `Ours (gRPC and HTTP RPC) vs @anycable/serverless-js behind the same anycable-go (--rpc_concurrency=28) — medians of ${ctx.reps} interleaved rounds`,
    columns: STORM_COLUMNS,
    digits: STORM_DIGITS,
    rows,
    notes: [
      "Both run the same account check, SID and transcript validation, call registry and Cable Ready feed (channels/), the same NATS broadcaster and info-level logging; the peer is served by @hono/node-server with the README's universal handler.",
      "anycable-go reaches the peer and ours-http with --rpc_host=http://127.0.0.1:<port>/_anycable (HTTP RPC is chosen by the URL scheme in 1.5.6); ours-http also checks --http_rpc_secret on every call, the peer (the README's handler) checks nothing.",
      ...sizes.map(
        (clients) =>
          `${clients.toLocaleString("en-US")} clients: the peer's HTTP server accepted a median ${medianOf(records, "peer", clients, (r) => r.rpcConnectionsOpened).toLocaleString("en-US")} TCP connections per storm (Connect, subscribe and Disconnect calls); ours over gRPC is one HTTP/2 connection throughout.`,
      ),
    ],
  };
  const ratios: Table = {
    title: "A ÷ B, per round then median (above 1 = B better)",
    columns: ["clients", "A ÷ B", "storm time", "RPC CPU per call", "anycable-go CPU"],
    rows: ratioRows,
  };
  return {
    name: "peer",
    title: "The peer: @anycable/serverless-js",
    tables: [table, ratios],
    data: { sizes, medians, ratios: ratioRows, runs: records },
    targets,
  };
}
