// Benchmark 1, the RPC overhead floor: the same Connect / subscribe / handle_message requests
// anycable-go sends, on one HTTP/2 connection with 28, 100 and 256 calls in flight, answered by
// (a) a bare grpc-js server returning canned responses, (b) our server with the real call-monitor
// application and a no-op broadcaster (the RPC layer alone), (c) the same with the real NATS
// broadcaster publishing to a local nats-server. A raw node:http2 server shows where the load
// driver itself tops out.
import { startNats, type NatsServer } from "../test/support/nats.js";
import { NodeChild, pin } from "./lib/children.js";
import type { BenchContext } from "./lib/context.js";
import { callOnce, grpcFrame, responseFrame, runH2load, writeBody, type H2loadRun } from "./lib/h2load.js";
import { cpuSeconds } from "./lib/proc-stats.js";
import type { BenchResult, Cell, Table, Target } from "./lib/report.js";
import { APP_ENV, SESSION_ID, rpcCases, type RpcCase } from "./lib/requests.js";
import type { CannedResponses, ServerConfig } from "./lib/server-child.js";
import { max, median, percentile, seededRandom, shuffled, sortNumbers } from "./lib/stats.js";

const SERVERS = ["bare", "ours-min", "ours-noop", "ours-nats"] as const;
type ServerName = (typeof SERVERS)[number] | "raw-h2";

const LABELS: Record<ServerName, string> = {
  "raw-h2": "raw node:http2 (driver ceiling)",
  bare: "bare grpc-js",
  "ours-min": "ours, minimal app (framework only)",
  "ours-noop": "ours, no-op broadcaster",
  "ours-nats": "ours, NATS broadcaster",
};

interface RunRecord {
  rep: number;
  call: RpcCase["name"];
  inFlight: number;
  server: ServerName;
  callsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  cpuUsPerCall: number;
  driverCpu: number;
  everyCallAnswered: boolean;
}

const METADATA = { sid: SESSION_ID, protov: "v1" };

export async function rpcOverhead(ctx: BenchContext): Promise<BenchResult> {
  const inFlightLevels = ctx.smoke ? [28] : [28, 100, 256];
  const requestsPerRun = ctx.smoke ? 300 : 8_000;
  // Short runs, many rounds: this machine's noise comes in bursts that can move one run by 30%,
  // and pairing each round's runs (every server within seconds of the others) plus the median of
  // many rounds is what keeps a burst out of the ratios.
  const rounds = ctx.smoke ? 1 : Math.max(ctx.reps, 9);
  const cases = rpcCases();
  const children = new Map<ServerName, NodeChild>();
  let nats: NatsServer | undefined;
  try {
    nats = await startNats();
    // The broker is the application's dependency, not the server under test: it shares the driver's core.
    await pin(nats.process.pid, ctx.driverCpu);
    // channels/app.ts with a registry that lets the replayed call start again (see call-monitor-app.ts).
    const ours = (broadcast: "none" | "nats", app = "bench/lib/call-monitor-app.ts"): ServerConfig => ({
      kind: "ours",
      host: "127.0.0.1:0",
      app,
      broadcast: broadcast === "none" ? { adapter: "none" } : { adapter: "nats", url: (nats as NatsServer).url },
      // The production default: the application logs each call start at info.
      logLevel: "info",
      env: APP_ENV,
    });
    const start = async (name: ServerName, config: ServerConfig): Promise<NodeChild> => {
      const child = await NodeChild.start({
        name: `rpc-${name}`,
        script: "bench/lib/server-child.ts",
        config,
        cpus: ctx.serverCpu,
        logDir: ctx.workDir,
      });
      children.set(name, child);
      return child;
    };
    ctx.progress("rpc: starting servers");
    await start("ours-noop", ours("none"));
    await start("ours-nats", ours("nats"));
    await start("ours-min", ours("none", "bench/lib/minimal-app.ts"));

    // The canned responses are what our server answers, so every server returns the same bytes
    // and the DATA byte count of a run proves that each call got a response message.
    const responses: Record<string, unknown> = {};
    for (const c of cases) responses[c.name] = await callOnce(address(children.get("ours-noop")), c.method, c.request, METADATA);
    const canned: CannedResponses = {
      Connect: responses.connect,
      subscribe: responses.subscribe,
      message: responses.message,
      unsubscribe: responses.message,
      Disconnect: { status: 1, error_msg: "" },
    };
    await start("bare", { kind: "bare", host: "127.0.0.1:0", responses: canned });
    await start("raw-h2", {
      kind: "raw-h2",
      host: "127.0.0.1:0",
      frameBase64: responseFrame("Connect", responses.connect).toString("base64"),
    });

    // A real gRPC client first: h2load sees HTTP 200 but not grpc-status.
    const verification: Record<string, Record<string, string>> = {};
    for (const server of SERVERS) {
      verification[server] = {};
      for (const c of cases) {
        const response = (await callOnce(address(children.get(server)), c.method, c.request, METADATA)) as {
          status?: number;
          error_msg?: string;
        };
        if (response.status !== 1) throw new Error(`${server} ${c.name}: expected SUCCESS, got ${JSON.stringify(response)}`);
        if (JSON.stringify(response) !== JSON.stringify(responses[c.name]))
          throw new Error(`${server} ${c.name}: response differs from ours: ${JSON.stringify(response)}`);
        (verification[server] as Record<string, string>)[c.name] = "gRPC OK, status SUCCESS";
      }
    }

    const bodies = new Map(cases.map((c) => [c.name, writeBody(ctx.workDir, `rpc-${c.name}`, grpcFrame(c.method, c.request))]));
    const expectedFrame = new Map(cases.map((c) => [c.name, responseFrame(c.method, responses[c.name]).length]));
    const runOne = async (server: ServerName, c: RpcCase, inFlight: number, requests: number): Promise<{ run: H2loadRun; cpu: number }> => {
      const child = children.get(server) as NodeChild;
      const before = cpuSeconds(child.pid);
      const run = await runH2load({
        url: `http://127.0.0.1:${child.ready.port as number}/anycable.RPC/${c.method}`,
        // Rebuilt per run: the Connect request carries a bridge credential, valid for a minute.
        bodyFile:
          c.method === "Connect"
            ? writeBody(ctx.workDir, `rpc-${c.name}`, grpcFrame(c.method, rpcCases().find((f) => f.name === c.name)!.request))
            : (bodies.get(c.name) as string),
        inFlight,
        requests,
        headers: METADATA,
        cpus: ctx.driverCpu,
        workDir: ctx.workDir,
        timeoutMs: 120_000,
      });
      return { run, cpu: cpuSeconds(child.pid) - before };
    };

    ctx.progress("rpc: warming up (JIT) every server on every call");
    for (const server of [...SERVERS, "raw-h2" as const]) {
      for (const c of server === "raw-h2" ? cases.slice(0, 1) : cases) await runOne(server, c, 28, ctx.smoke ? 200 : 3_000);
    }

    const random = seededRandom(ctx.seed);
    const records: RunRecord[] = [];
    const cells = cases.flatMap((c) => inFlightLevels.map((inFlight) => ({ c, inFlight })));
    for (let rep = 1; rep <= rounds; rep++) {
      ctx.progress(`rpc: round ${rep}/${rounds}`);
      for (const { c, inFlight } of cells) {
        const order: ServerName[] = shuffled(c.name === "connect" ? [...SERVERS, "raw-h2"] : [...SERVERS], random);
        for (const server of order) {
          const { run, cpu } = await runOne(server, c, inFlight, requestsPerRun);
          records.push({
            rep,
            call: c.name,
            inFlight,
            server,
            callsPerSecond: run.callsPerSecond,
            p50Ms: run.p50Ms,
            p99Ms: run.p99Ms,
            cpuUsPerCall: (cpu / run.succeeded) * 1e6,
            driverCpu: run.driverCpu,
            everyCallAnswered: run.succeeded === requestsPerRun && run.dataBytes === requestsPerRun * (expectedFrame.get(c.name) as number),
          });
        }
      }
    }
    const failed = records.filter((r) => !r.everyCallAnswered);
    if (failed.length > 0)
      throw new Error(`rpc: ${failed.length} run(s) did not get a response message for every call: ${JSON.stringify(failed[0])}`);
    return summarise(records, inFlightLevels, requestsPerRun, rounds, ctx, verification);
  } finally {
    await Promise.all([...children.values()].map((child) => child.stop()));
    await nats?.stop();
  }
}

function address(child: NodeChild | undefined): string {
  if (!child) throw new Error("server not started");
  return `127.0.0.1:${child.ready.port as number}`;
}

function summarise(
  records: RunRecord[],
  inFlightLevels: number[],
  requestsPerRun: number,
  rounds: number,
  ctx: BenchContext,
  verification: unknown,
): BenchResult {
  const pick = (call: string, inFlight: number, server: ServerName): RunRecord[] =>
    records.filter((r) => r.call === call && r.inFlight === inFlight && r.server === server);
  const med = (rs: RunRecord[], key: keyof RunRecord): number => median(rs.map((r) => r[key] as number));
  // Ratios are taken per round (every server ran within seconds of the others), then the median.
  const perRound = (rs: RunRecord[], bare: RunRecord[], value: (r: RunRecord, b: RunRecord) => number): Float64Array =>
    sortNumbers(
      rs.flatMap((r) => {
        const b = bare.find((x) => x.rep === r.rep);
        return b ? [value(r, b)] : [];
      }),
    );
  const detail: Cell[][] = [];
  const headline: Cell[][] = [];
  const medians: Record<string, unknown>[] = [];
  const targets: Target[] = [];
  const ratioText = (rate: number, cpu: number): string => `${rate.toFixed(2)} (${cpu.toFixed(2)})`;
  for (const call of ["connect", "subscribe", "message"] as const) {
    for (const inFlight of inFlightLevels) {
      const bare = pick(call, inFlight, "bare");
      const line: Cell[] = [call, inFlight, med(bare, "callsPerSecond"), med(bare, "cpuUsPerCall")];
      for (const server of SERVERS) {
        const rs = pick(call, inFlight, server);
        const rateRatios = perRound(rs, bare, (r, b) => r.callsPerSecond / b.callsPerSecond);
        const rateRatio = percentile(rateRatios, 50);
        const cpuRatio = percentile(
          perRound(rs, bare, (r, b) => b.cpuUsPerCall / r.cpuUsPerCall),
          50,
        );
        const rateQuartiles = [percentile(rateRatios, 25), percentile(rateRatios, 75)] as const;
        const row = {
          call,
          inFlight,
          server,
          callsPerSecond: med(rs, "callsPerSecond"),
          p50Ms: med(rs, "p50Ms"),
          p99Ms: med(rs, "p99Ms"),
          cpuUsPerCall: med(rs, "cpuUsPerCall"),
          throughputVsBare: rateRatio,
          throughputVsBareQuartiles: rateQuartiles,
          cpuPerCallBareOverOurs: cpuRatio,
        };
        medians.push(row);
        detail.push([call, inFlight, LABELS[server], row.callsPerSecond, row.p50Ms, row.p99Ms, row.cpuUsPerCall]);
        if (server === "bare") continue;
        line.push(ratioText(rateRatio, cpuRatio));
        // The target is the server's own cost, the analogue of the Ruby reference's
        // ~0.5 of a do-nothing handler: our server with a do-nothing application. The real
        // application's rows show what its own work (rendering, registry, broker) adds.
        if (server === "ours-min") {
          targets.push({
            description: `${call}, ${inFlight} in flight, ${LABELS[server]}: calls/s ≥ 0.85 × bare`,
            met: ctx.smoke ? null : rateRatio >= 0.85,
            value: `${rateRatio.toFixed(2)} × bare (middle half of rounds ${rateQuartiles[0].toFixed(2)}–${rateQuartiles[1].toFixed(2)}; CPU per call: bare's is ${cpuRatio.toFixed(2)} × ours)`,
          });
        }
      }
      headline.push(line);
    }
  }
  const driverRows: Cell[][] = inFlightLevels.map((inFlight) => {
    const raw = pick("connect", inFlight, "raw-h2");
    const bare = pick("connect", inFlight, "bare");
    return [
      inFlight,
      med(raw, "callsPerSecond"),
      `${(med(raw, "callsPerSecond") / med(bare, "callsPerSecond")).toFixed(2)}`,
      `${(max(records.filter((r) => r.inFlight === inFlight).map((r) => r.driverCpu)) * 100).toFixed(0)}%`,
    ];
  });
  const where = `server pinned to CPU ${ctx.serverCpu ?? "(unpinned)"}, h2load and nats-server to CPU ${ctx.driverCpu ?? "(unpinned)"}`;
  const summary: Table = {
    title: `RPC overhead floor — ours ÷ bare grpc-js: calls/s ratio (CPU-per-call ratio bare÷ours), one HTTP/2 connection, medians of ${rounds} paired rounds of ${requestsPerRun.toLocaleString("en-US")} calls`,
    columns: [
      "call",
      "in flight",
      "bare calls/s",
      "bare CPU µs/call",
      "framework only",
      "real app, no-op broadcaster",
      "real app, NATS broadcaster",
    ],
    digits: [undefined, 0, 0, 0],
    rows: headline,
    notes: [
      "framework only: our server with a minimal app of the same shape (same identifiers, channel, params and action schemas; no work). real app: channels/app.ts as `npm run rpc` serves it (info logging, in-memory call registry that lets the replayed call start again).",
      "bare grpc-js: the same grpc-js server options as ours (message size limits, channelz statistics off), answering with canned responses.",
      "Above 1.00 would mean faster than bare; both ratios are per round, then the median. Same request bytes for every server; responses are identical (checked).",
      `${where}.`,
    ],
  };
  const table: Table = {
    title: "RPC overhead floor — every server, medians",
    columns: ["call", "in flight", "server", "calls/s", "p50 ms", "p99 ms", "server CPU µs/call"],
    digits: [undefined, 0, undefined, 0, 1, 1, 0],
    rows: detail,
    notes: [
      "Every run is checked: h2load's DATA bytes = calls × the response frame length (every call returned a message); a grpc-js client verified grpc-status 0 and SUCCESS on every server first.",
      "Server CPU is utime+stime of the server process from /proc over the run (all threads, GC included).",
    ],
  };
  const driver: Table = {
    title: "Load driver check — h2load against a raw node:http2 server answering the same Connect response",
    columns: ["in flight", "raw h2 calls/s", "raw ÷ bare grpc-js", "h2load CPU, max over all runs"],
    digits: [0, 0],
    rows: driverRows,
    notes: [
      "h2load stays far from a full core and drives a server without grpc-js well past every number above: the driver is not the limit.",
    ],
  };
  return {
    name: "rpc",
    title: "RPC overhead floor",
    tables: [summary, table, driver],
    data: { requestsPerRun, rounds, inFlightLevels, medians, runs: records, verification },
    targets,
  };
}
