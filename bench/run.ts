// `npm run bench [-- --only=rpc,storm,fanout,peer,scale,speech,bridge,throughput] [--smoke] [--n=1000,5000] [--reps=3]`
// Runs the selected benchmarks one after another, prints their tables to stdout (progress goes to
// stderr) and writes every run's numbers to bench/results/latest.json; a full run also refreshes
// the committed bench/results/summary.json (tables, medians and targets, no per-run data).
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, release, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { anycableGoBinary, anycableGoVersion } from "../test/support/anycable-go.js";
import { REPO_ROOT } from "../test/support/binaries.js";
import { cpuLayout, type BenchContext, type ServerForm } from "./lib/context.js";
import { renderTable, type BenchResult } from "./lib/report.js";
import { broadcastFanout } from "./fanout.js";
import { peerComparison } from "./peer.js";
import { rpcOverhead } from "./rpc.js";
import { scaleOut } from "./scale.js";
import { bridgeUnderLoad } from "./bridge.js";
import { speechRecognition } from "./speech.js";
import { connectionStorm } from "./storm.js";
import { broadcastThroughput } from "./throughput.js";

const BENCHMARKS: Record<string, (ctx: BenchContext) => Promise<BenchResult>> = {
  rpc: rpcOverhead,
  storm: connectionStorm,
  fanout: broadcastFanout,
  peer: peerComparison,
  scale: scaleOut,
  speech: speechRecognition,
  bridge: bridgeUnderLoad,
  throughput: broadcastThroughput,
};

const USAGE = `Usage: npm run bench -- [--only=${Object.keys(BENCHMARKS).join(",")}] [--smoke] [--n=1000,5000] [--reps=N] [--seed=N] [--out=FILE]

  --only    benchmarks to run, comma-separated (default: all, in that order)
  --smoke   tiny sizes: checks that everything runs and reports; the numbers mean nothing
  --n       client counts for storm, peer and scale (default 1000,5000; smoke 50)
  --reps    interleaved rounds per A/B cell (default 3; smoke 1)
  --seed    seed of the interleaving order (default 1)
  --calls, --in-flight, --servers   rpc only: a subset of connect,subscribe,message / 28,100,256 /
            ours-min,ours-noop,ours-nats,ours-nats-tsx (bare grpc-js always runs: every ratio is against
            it; ours-nats-tsx, only when named, is the real app run through tsx beside the compiled one)
  --baseline  rpc only: also run the real app (NATS broadcaster) with src/ and channels/ at this
            git ref, side by side with the working tree's: before/after in one run
  --form    rpc only: compiled (default: tsc's output run by node, as users deploy it) or tsx
  --cpu-prof  rpc only: a folder where every server writes a V8 CPU profile (<server>.cpuprofile,
            for Chrome DevTools or speedscope) when it stops; the profiler costs CPU, so numbers from
            such a run compare only with each other
  --rpc-concurrency   storm only: anycable-go --rpc_concurrency settings (default 28,64,256), e.g.
            one setting with more rounds in the same minutes
  --out     JSON output (default bench/results/latest.json)`;

function machine(): Record<string, string | number> {
  const cpuinfo = readFileSync("/proc/cpuinfo", "utf8");
  const version = (command: string, args: string[]): string => {
    try {
      return (
        execFileSync(command, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 10_000 })
          .split("\n")[0]
          ?.trim() ?? ""
      );
    } catch {
      return "unavailable";
    }
  };
  return {
    nproc: availableParallelism(),
    cpu: /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1] ?? "unknown",
    kernel: release(),
    node: process.version,
    anycableGo: anycableGoVersion(anycableGoBinary()),
    h2load: version("h2load", ["--version"]),
    natsServer: version("nats-server", ["--version"]),
    redisServer: version("redis-server", ["--version"]),
    somaxconn: readFileSync("/proc/sys/net/core/somaxconn", "utf8").trim(),
    openFiles: openFilesLimit() ?? "unknown",
  };
}

/** JSON as the repository's Prettier writes it, so `npm run format:check` accepts the result files. */
async function jsonText(value: unknown): Promise<string> {
  const text = `${JSON.stringify(value, null, 2)}\n`;
  try {
    const prettier = await import("prettier");
    return await prettier.format(text, { parser: "json", printWidth: 140 });
  } catch {
    return text;
  }
}

function openFilesLimit(): number | undefined {
  try {
    const match = /^Max open files\s+(\d+)/m.exec(readFileSync("/proc/self/limits", "utf8"));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      only: { type: "string" },
      smoke: { type: "boolean", default: false },
      n: { type: "string" },
      reps: { type: "string" },
      seed: { type: "string", default: "1" },
      out: { type: "string" },
      calls: { type: "string" },
      "in-flight": { type: "string" },
      servers: { type: "string" },
      baseline: { type: "string" },
      form: { type: "string" },
      "cpu-prof": { type: "string" },
      "rpc-concurrency": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const selected = values.only
    ? values.only
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)
    : Object.keys(BENCHMARKS);
  const unknown = selected.filter((name) => !(name in BENCHMARKS));
  if (unknown.length > 0) {
    process.stderr.write(`unknown benchmark(s): ${unknown.join(", ")}\n${USAGE}\n`);
    return 2;
  }
  const clients = values.n ? values.n.split(",").map((s) => Number(s.trim())) : undefined;
  if (clients?.some((n) => !Number.isInteger(n) || n <= 0)) {
    process.stderr.write(`--n must be positive integers, got ${values.n}\n`);
    return 2;
  }
  const smoke = values.smoke ?? false;
  // Every storm client is a socket in the load process and another in anycable-go, which inherit
  // this process's limit; a low one shows up as EMFILE failures mid-storm, so refuse up front.
  const largest = Math.max(...(clients ?? (smoke ? [20] : [1_000, 5_000])));
  const openFiles = openFilesLimit();
  if (
    selected.some((name) => ["storm", "peer", "scale", "fanout", "throughput"].includes(name)) &&
    openFiles !== undefined &&
    openFiles < largest + 2_048
  ) {
    process.stderr.write(
      `The open-files limit is ${openFiles}, too low for ${largest} clients; raise it first, e.g. \`ulimit -n 65536 && npm run bench\`.\n`,
    );
    return 2;
  }
  const reps = values.reps ? Number(values.reps) : smoke ? 1 : 3;
  const list = (raw: string | undefined): string[] | undefined =>
    raw === undefined
      ? undefined
      : raw
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean);
  const inFlight = list(values["in-flight"])?.map(Number);
  if (inFlight?.some((n) => !Number.isInteger(n) || n <= 0)) {
    process.stderr.write(`--in-flight must be positive integers, got ${values["in-flight"]}\n`);
    return 2;
  }
  const form = values.form as ServerForm | undefined;
  if (form !== undefined && form !== "compiled" && form !== "tsx") {
    process.stderr.write(`--form must be compiled or tsx, got ${values.form}\n`);
    return 2;
  }
  const rpcConcurrency = list(values["rpc-concurrency"])?.map(Number);
  if (rpcConcurrency?.some((n) => !Number.isInteger(n) || n <= 0)) {
    process.stderr.write(`--rpc-concurrency must be positive integers, got ${values["rpc-concurrency"]}\n`);
    return 2;
  }
  const workDir = mkdtempSync(join(tmpdir(), "anycable-bench-"));
  const started = Date.now();
  const ctx: BenchContext = {
    smoke,
    clients,
    reps,
    workDir,
    seed: Number(values.seed),
    rpcConcurrency,
    rpc: {
      calls: list(values.calls),
      inFlight,
      servers: list(values.servers),
      baseline: values.baseline,
      form,
      cpuProfDir: values["cpu-prof"] === undefined ? undefined : resolve(values["cpu-prof"]),
    },
    ...cpuLayout(),
    progress: (message) => process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s] ${message}\n`),
  };
  const command = `npm run bench --${process.argv.slice(2).length ? ` ${process.argv.slice(2).join(" ")}` : ""}`;
  const info = machine();
  const results: BenchResult[] = [];
  let failure: unknown;
  for (const name of selected) {
    const benchStarted = Date.now();
    ctx.progress(`${name}: start`);
    try {
      const result = await (BENCHMARKS[name] as (ctx: BenchContext) => Promise<BenchResult>)(ctx);
      result.seconds = (Date.now() - benchStarted) / 1000;
      results.push(result);
      process.stdout.write(`\n## ${result.title}\n\n${result.tables.map(renderTable).join("\n\n")}\n`);
      if (result.targets.length > 0) {
        process.stdout.write(
          `\nTargets:\n${result.targets.map((t) => `- [${t.met === null ? "n/a" : t.met ? "met" : "MISSED"}] ${t.description}: ${t.value}`).join("\n")}\n`,
        );
      }
    } catch (error) {
      failure = error;
      process.stderr.write(`\n${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      break;
    }
  }
  const seconds = (Date.now() - started) / 1000;
  process.stdout.write(`\nmachine: ${JSON.stringify(info)}\ncommand: ${command}\ntotal: ${seconds.toFixed(0)} s\n`);
  const report = {
    command,
    startedAt: new Date(started).toISOString(),
    seconds,
    smoke,
    reps,
    seed: ctx.seed,
    pinning: { server: ctx.serverCpu, driver: ctx.driverCpu },
    machine: info,
    results,
  };
  const out = resolve(values.out ?? join(REPO_ROOT, "bench", "results", "latest.json"));
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, await jsonText(report));
  if (!smoke && failure === undefined && selected.length === Object.keys(BENCHMARKS).length && values.out === undefined) {
    const summary = {
      ...report,
      results: results.map(({ data, ...rest }) => ({ ...rest, data: { medians: (data as { medians?: unknown }).medians } })),
    };
    writeFileSync(join(REPO_ROOT, "bench", "results", "summary.json"), await jsonText(summary));
  }
  rmSync(workDir, { recursive: true, force: true });
  return failure === undefined ? 0 : 1;
}

process.exitCode = await main();
// A broker client or timer left behind by a failed benchmark must not keep the runner alive.
setTimeout(() => process.exit(), 200).unref();
