// Benchmark 5, scale-out: one RPC process against two. anycable-go 1.5.6 has no grpc-list://
// (1.6.2+), but it dials with grpc.NewClient and round_robin, so a DNS name with two A records
// gets one HTTP/2 connection per address and calls spread over both. Here the name is answered by
// a DNS server inside the runner (dns://127.0.0.1:<port>/rpc.bench:<rpc port>), and the two
// processes listen on 127.0.0.1 and 127.0.0.2, the same port: no system file is touched.
// Nothing is pinned: a second process can only help if the scheduler may run it on the other core.
import type { BenchContext } from "./lib/context.js";
import { startDnsServer, type DnsServer } from "../test/support/dns.js";
import type { BenchResult, Table, Target } from "./lib/report.js";
import { median } from "./lib/stats.js";
import { defaultSizes, deploy, StormRunner, type Deployment, type DeploymentSpec, type StormRecord } from "./lib/storm-harness.js";
import { STORM_COLUMNS, STORM_DIGITS, stormRows } from "./storm.js";

const RPC_NAME = "rpc.bench";
const ADDRESSES = ["127.0.0.1", "127.0.0.2"];
const MIN_JUDGED_CPU_SECONDS = 0.1;

export async function scaleOut(ctx: BenchContext): Promise<BenchResult> {
  const sizes = defaultSizes(ctx);
  const deployments: Deployment[] = [];
  let runner: StormRunner | undefined;
  let dns: DnsServer | undefined;
  try {
    dns = await startDnsServer(RPC_NAME, ADDRESSES);
    const dnsPort = dns.port;
    const specs: DeploymentSpec[] = [
      { name: "one", label: "1 RPC process", kind: "ours", rpcConcurrency: 28, cpus: undefined },
      {
        name: "two",
        label: "2 RPC processes (dns:// name, 2 A records)",
        kind: "ours",
        rpcConcurrency: 28,
        cpus: undefined,
        processes: 2,
        rpcTargets: (port) => ({ rpcHost: `dns://127.0.0.1:${dnsPort}/${RPC_NAME}:${port}`, binds: ADDRESSES }),
      },
    ];
    for (const spec of specs) {
      ctx.progress(`scale: starting ${spec.label}`);
      deployments.push(await deploy(spec, ctx));
    }
    runner = await StormRunner.start(ctx, undefined);
    const records = await runner.interleave(deployments, sizes, ctx.reps);
    // /proc counts CPU in 10 ms ticks: below about ten ticks per storm (smoke sizes) a share of 0 is
    // rounding, not a process that got no calls, so only storms with measurable RPC CPU are judged.
    const measurable = (r: StormRecord): boolean =>
      r.rpcCpuUsPerCall !== null && (r.rpcCpuUsPerCall * r.rpcCalls) / 1e6 >= MIN_JUDGED_CPU_SECONDS;
    const spread = records.filter((r) => r.deployment === "two" && r.round > 0 && measurable(r)).map((r) => Math.min(...r.rpcCpuShares));
    if (spread.length > 0 && median(spread) < 0.2) {
      throw new Error(
        `scale: anycable-go did not spread calls over both RPC processes (smaller CPU share ${median(spread).toFixed(2)}); DNS queries seen: ${JSON.stringify(dns.queries)}`,
      );
    }
    return summarise(records, deployments, sizes, ctx, dns.queries);
  } finally {
    await runner?.stop();
    await Promise.all(deployments.map((d) => d.stop()));
    await dns?.close();
  }
}

function summarise(
  records: StormRecord[],
  deployments: Deployment[],
  sizes: number[],
  ctx: BenchContext,
  queries: Record<number, number>,
): BenchResult {
  const { rows, medians } = stormRows(records, deployments, sizes);
  const paired = (clients: number): number => {
    const ratios = records
      .filter((r) => r.round > 0 && r.deployment === "one" && r.clients === clients)
      .map((one) => {
        const two = records.find((r) => r.deployment === "two" && r.clients === clients && r.round === one.round);
        return two ? one.seconds / two.seconds : Number.NaN;
      })
      .filter(Number.isFinite);
    return median(ratios);
  };
  const shares = sizes.map((clients) => {
    const two = records.filter((r) => r.round > 0 && r.deployment === "two" && r.clients === clients);
    return [
      clients,
      paired(clients).toFixed(2),
      `${(median(two.map((r) => r.rpcCpuShares[0] ?? Number.NaN)) * 100).toFixed(0)}% / ${(median(two.map((r) => r.rpcCpuShares[1] ?? Number.NaN)) * 100).toFixed(0)}%`,
    ];
  });
  const largest = Math.max(...sizes);
  const targets: Target[] = [
    {
      description: `${largest.toLocaleString("en-US")}-client storm: two RPC processes faster than one (reported, not a target)`,
      met: null,
      value: `${paired(largest).toFixed(2)}× (one ÷ two)`,
    },
  ];
  const table: Table = {
    title: `Scale-out: one vs two RPC processes behind one anycable-go (--rpc_concurrency=28, nothing pinned) — medians of ${ctx.reps} interleaved rounds`,
    columns: STORM_COLUMNS,
    digits: STORM_DIGITS,
    rows,
    notes: [
      `anycable-go --rpc_host=dns://127.0.0.1:<dns port>/${RPC_NAME}:<port>; the runner's DNS server answers ${ADDRESSES.join(" and ")}; the processes bind those addresses on one port.`,
      "RPC CPU µs/call is summed over both processes.",
    ],
  };
  const spread: Table = {
    title: "Two processes: speed-up and how the calls were spread",
    columns: ["clients", "storm time one ÷ two", "RPC CPU share, process 1 / process 2"],
    rows: shares,
  };
  return {
    name: "scale",
    title: "Scale-out",
    tables: [table, spread],
    data: { sizes, medians, dnsQueries: queries, spread: shares, runs: records },
    targets,
  };
}
