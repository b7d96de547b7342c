// Benchmark 1, the RPC overhead floor: the same Connect / subscribe / handle_message requests
// anycable-go sends, on one HTTP/2 connection with 28, 100 and 256 calls in flight, answered by
// (a) a bare grpc-js server returning canned responses, (b) our server with the real call-monitor
// application and a no-op broadcaster (the RPC layer alone), (c) the same with the real NATS
// broadcaster publishing to a local nats-server. A raw node:http2 server shows where the load
// driver itself tops out.
import { startNats, type NatsServer } from "../test/support/nats.js";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { REPO_ROOT } from "../test/support/binaries.js";
import { NodeChild, pin } from "./lib/children.js";
import { compileTree } from "./lib/compiled-tree.js";
import type { BenchContext, ServerForm } from "./lib/context.js";
import { callOnce, grpcFrame, responseFrame, runH2load, writeBody, type H2loadRun } from "./lib/h2load.js";
import { cpuSeconds } from "./lib/proc-stats.js";
import type { BenchResult, Cell, Table, Target } from "./lib/report.js";
import { APP_ENV, SESSION_ID, rpcCases, type RpcCase } from "./lib/requests.js";
import type { CannedResponses, ServerConfig } from "./lib/server-child.js";
import { max, median, percentile, seededRandom, shuffled, sortNumbers } from "./lib/stats.js";

const ALL_SERVERS = ["bare", "ours-min", "ours-noop", "ours-nats", "ours-nats-tsx"] as const;
type ServerName = (typeof ALL_SERVERS)[number] | "ours-nats-baseline" | "raw-h2";

const LABELS: Record<ServerName, string> = {
  "raw-h2": "raw node:http2 (driver ceiling)",
  bare: "bare grpc-js",
  "ours-min": "ours, minimal app (framework only)",
  "ours-noop": "ours, no-op broadcaster",
  "ours-nats": "ours, NATS broadcaster",
  "ours-nats-tsx": "ours, NATS broadcaster, run through tsx",
  "ours-nats-baseline": "ours, NATS broadcaster, baseline",
};

// The benchmark replays one call's transcripts at thousands a second, far past the per-call
// limit (CALL_TRANSCRIPTS_PER_SECOND, 50 by default) a real call never nears: with the default,
// all but ~1% of the "message" calls would measure the drop path instead of a transcript
// reaching the dashboard. At the maximum (10,000 a second, bucket of 10,000) an 8,000-call run
// starts with a full bucket and is never limited; the run checks the servers' logs to be sure.
const RPC_APP_ENV = { ...APP_ENV, CALL_TRANSCRIPTS_PER_SECOND: "10000" };
const RATE_LIMITED = "transcripts over the rate limit";

/** A checkout of the server under test as it was at a git ref: its server child script and tsconfig. */
interface BaselineTree {
  root: string;
  serverChild: string;
  tsconfig: string;
}

/**
 * How a server under test runs: the server child script, the folder of its app modules
 * (call-monitor-app, minimal-app), and whether it is compiled JavaScript run by plain node (what
 * users deploy) or TypeScript run through tsx (what the repository's tests and `npm run rpc` do).
 */
interface ServerBuild {
  serverChild: string;
  appDir: string;
  compiled: boolean;
  env?: Record<string, string>;
}

/** The working tree or a baseline as `form` runs it; compiling writes under `outDir`. */
function serverBuild(form: ServerForm, root: string, outDir: string, tsconfig?: string): ServerBuild {
  if (form === "tsx")
    return {
      serverChild: join(root, "bench", "lib", "server-child.ts"),
      appDir: join(root, "bench", "lib"),
      compiled: false,
      // tsx resolves "anycable-ts" through this tsconfig's paths: a baseline's own src/.
      ...(tsconfig === undefined ? {} : { env: { TSX_TSCONFIG_PATH: tsconfig } }),
    };
  const { benchLib } = compileTree(root, outDir);
  return { serverChild: join(benchLib, "server-child.js"), appDir: benchLib, compiled: true };
}

/**
 * Fails unless node, run with `argv` in `cwd` and `env`, prints `expected`'s file URL: the module
 * "anycable-ts" resolves to for the servers that `who` names.
 */
function assertAnycableEntry(who: string, argv: string[], cwd: string, env: Record<string, string>, expected: string): void {
  const entry = execFileSync(process.execPath, argv, {
    cwd,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    encoding: "utf8",
  });
  if (entry !== pathToFileURL(expected).href) throw new Error(`rpc: ${who} would load "anycable-ts" from ${entry}, not ${expected}`);
}

/** Fails unless modules in `build.appDir` resolve "anycable-ts" to `expected` (a file path). */
function assertBuildEntry(who: string, build: ServerBuild, expected: string): void {
  const argv = ["--input-type=module", "-e", 'process.stdout.write(import.meta.resolve("anycable-ts"))'];
  assertAnycableEntry(who, argv, build.appDir, {}, expected);
}

/**
 * The framework (src/, protos/), the application (channels/) and the bench's server child and
 * app modules (bench/lib) as they were at `ref`, in `dir`, resolving packages through this
 * checkout's node_modules and "anycable-ts" through the extracted tsconfig's paths: the whole
 * server is the ref's, so a cut in src/ shows in the comparison as well as one in channels/.
 */
function extractBaseline(ref: string, dir: string): BaselineTree {
  mkdirSync(dir, { recursive: true });
  const paths = ["src", "protos", "channels", "bench/lib", "tsconfig.json", "tsconfig.build.json", "package.json"];
  const archive = execFileSync("git", ["archive", "--format=tar", ref, ...paths], { cwd: REPO_ROOT, maxBuffer: 1 << 28 });
  execFileSync("tar", ["-x", "-C", dir], { input: archive });
  symlinkSync(join(REPO_ROOT, "node_modules"), join(dir, "node_modules"));
  return { root: dir, serverChild: join(dir, "bench", "lib", "server-child.ts"), tsconfig: join(dir, "tsconfig.json") };
}

/**
 * Fails unless a server started from the repository root with `env` resolves "anycable-ts" inside
 * `srcDir`: the baseline must run its own framework, the working tree's servers theirs.
 */
function assertFrameworkEntry(who: string, env: Record<string, string>, srcDir: string): void {
  assertAnycableEntry(who, ["--import", "tsx", "bench/lib/framework-entry.ts"], REPO_ROOT, env, join(srcDir, "index.ts"));
}

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
  const inFlightLevels = ctx.rpc.inFlight ?? (ctx.smoke ? [28] : [28, 100, 256]);
  const requestsPerRun = ctx.smoke ? 300 : 8_000;
  const unknownServers = (ctx.rpc.servers ?? []).filter((s) => !(ALL_SERVERS as readonly string[]).includes(s));
  if (unknownServers.length > 0) throw new Error(`rpc: unknown server(s) ${unknownServers.join(", ")}; known: ${ALL_SERVERS.join(", ")}`);
  const SERVERS: ServerName[] = [
    // ours-nats-tsx only when asked for: it measures the form, not the product.
    ...ALL_SERVERS.filter((s) => s === "bare" || (ctx.rpc.servers === undefined ? s !== "ours-nats-tsx" : ctx.rpc.servers.includes(s))),
    ...(ctx.rpc.baseline === undefined ? [] : ["ours-nats-baseline" as const]),
  ];
  // Short runs, many rounds: this machine's noise comes in bursts that can move one run by 30%,
  // and pairing each round's runs (every server within seconds of the others) plus the median of
  // many rounds is what keeps a burst out of the ratios.
  const rounds = ctx.smoke ? 1 : Math.max(ctx.reps, 9);
  const unknownCalls = (ctx.rpc.calls ?? []).filter((c) => !["connect", "subscribe", "message"].includes(c));
  if (unknownCalls.length > 0) throw new Error(`rpc: unknown call(s) ${unknownCalls.join(", ")}; known: connect, subscribe, message`);
  const allCases = rpcCases();
  const cases = allCases.filter((c) => ctx.rpc.calls === undefined || ctx.rpc.calls.includes(c.name));
  // A call's request is built when it is sent: the bridge credential in its headers is valid for a
  // minute, and compiling and starting the servers alone can take longer on a busy host (a smoke
  // run's first Connect was refused as "x-twilio-bridge-credential is expired" 61 s in).
  const freshRequest = (c: RpcCase): unknown => (rpcCases().find((f) => f.name === c.name) as RpcCase).request;
  const children = new Map<ServerName, NodeChild>();
  let nats: NatsServer | undefined;
  try {
    nats = await startNats();
    // The broker is the application's dependency, not the server under test: it shares the driver's core.
    await pin(nats.process.pid, ctx.driverCpu);
    // channels/app.ts with a registry that lets the replayed call start again (see call-monitor-app.ts).
    const form: ServerForm = ctx.rpc.form ?? "compiled";
    if (form === "tsx" && SERVERS.includes("ours-nats-tsx"))
      throw new Error("rpc: ours-nats-tsx compares tsx with the compiled form; drop --form=tsx");
    ctx.progress(
      `rpc: ${form === "compiled" ? "compiling the framework (tsconfig.build.json) and the app with tsc" : "running the TypeScript through tsx"}`,
    );
    const working = serverBuild(form, REPO_ROOT, join(ctx.workDir, "compiled"));
    if (form === "compiled")
      assertBuildEntry(
        "the working tree's servers",
        working,
        join(ctx.workDir, "compiled", "node_modules", "anycable-ts", "dist", "index.js"),
      );
    const throughTsx = serverBuild("tsx", REPO_ROOT, "");
    const ours = (broadcast: "none" | "nats", build = working, app = "call-monitor-app"): ServerConfig => ({
      kind: "ours",
      host: "127.0.0.1:0",
      app: join(build.appDir, `${app}.${build.compiled ? "js" : "ts"}`),
      broadcast: broadcast === "none" ? { adapter: "none" } : { adapter: "nats", url: (nats as NatsServer).url },
      // The production default (info): per-call lines are debug, refusals and failures warn or error.
      logLevel: "info",
      env: RPC_APP_ENV,
    });
    const start = async (name: ServerName, config: ServerConfig, build = working): Promise<NodeChild> => {
      const child = await NodeChild.start({
        name: `rpc-${name}`,
        script: build.serverChild,
        compiled: build.compiled,
        config,
        cpus: ctx.serverCpu,
        logDir: ctx.workDir,
        // 250 µs rather than V8's 1 ms: a call costs tens of µs, and a run lasts seconds.
        ...(ctx.rpc.cpuProfDir === undefined
          ? {}
          : {
              nodeArgs: [
                "--cpu-prof",
                `--cpu-prof-dir=${ctx.rpc.cpuProfDir}`,
                `--cpu-prof-name=${name}.cpuprofile`,
                "--cpu-prof-interval=250",
              ],
            }),
        ...(build.env === undefined ? {} : { env: build.env }),
      });
      children.set(name, child);
      return child;
    };
    // With --baseline or ours-nats-tsx, the servers compared are restarted every round (see the round
    // loop): each is started through startFresh, which keeps its launch so that a restart is the same start.
    const fresh = new Map<ServerName, () => Promise<NodeChild>>();
    const startFresh = (name: ServerName, config: ServerConfig, build = working): Promise<NodeChild> => {
      const launch = (): Promise<NodeChild> => start(name, config, build);
      fresh.set(name, launch);
      return launch();
    };
    ctx.progress("rpc: starting servers");
    // ours-noop answers the reference responses, so it always starts; it is measured only if selected.
    await start("ours-noop", ours("none"));
    if (SERVERS.includes("ours-nats")) await startFresh("ours-nats", ours("nats"));
    if (SERVERS.includes("ours-min")) await start("ours-min", ours("none", working, "minimal-app"));
    if (SERVERS.includes("ours-nats-tsx")) {
      assertFrameworkEntry("the tsx servers", {}, join(REPO_ROOT, "src"));
      await startFresh("ours-nats-tsx", ours("nats", throughTsx), throughTsx);
    }
    if (ctx.rpc.baseline !== undefined) {
      ctx.progress(`rpc: extracting src/ and channels/ at ${ctx.rpc.baseline} for the baseline server`);
      const tree = extractBaseline(ctx.rpc.baseline, join(ctx.workDir, "baseline"));
      // The harness is this checkout's: a ref's server child may predate running under plain node
      // (its static import of @anycable/serverless-js, whose ES build only a loader resolves).
      if (form === "compiled") copyFileSync(join(REPO_ROOT, "bench", "lib", "server-child.ts"), tree.serverChild);
      const baseline = serverBuild(form, tree.root, join(ctx.workDir, "baseline-compiled"), tree.tsconfig);
      if (form === "compiled") {
        assertBuildEntry(
          `the baseline server (${ctx.rpc.baseline})`,
          baseline,
          join(ctx.workDir, "baseline-compiled", "node_modules", "anycable-ts", "dist", "index.js"),
        );
      } else {
        assertFrameworkEntry("the working tree's servers", {}, join(REPO_ROOT, "src"));
        assertFrameworkEntry(`the baseline server (${ctx.rpc.baseline})`, { TSX_TSCONFIG_PATH: tree.tsconfig }, join(tree.root, "src"));
      }
      await startFresh("ours-nats-baseline", ours("nats", baseline), baseline);
    }

    // The canned responses are what our server answers, so every server returns the same bytes
    // and the DATA byte count of a run proves that each call got a response message.
    const responses: Record<string, unknown> = {};
    for (const c of allCases) responses[c.name] = await callOnce(address(children.get("ours-noop")), c.method, freshRequest(c), METADATA);
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
        const response = (await callOnce(address(children.get(server)), c.method, freshRequest(c), METADATA)) as {
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
            ? writeBody(ctx.workDir, `rpc-${c.name}`, grpcFrame(c.method, freshRequest(c)))
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
      for (const c of server === "raw-h2" ? allCases.slice(0, 1) : cases) await runOne(server, c, 28, ctx.smoke ? 200 : 3_000);
    }

    const random = seededRandom(ctx.seed);
    const records: RunRecord[] = [];
    const cells = cases.flatMap((c) => inFlightLevels.map((inFlight) => ({ c, inFlight })));
    for (let rep = 1; rep <= rounds; rep++) {
      ctx.progress(`rpc: round ${rep}/${rounds}`);
      // Two processes of the same code read 20-45 µs per call apart for the whole of a run, either
      // way round (same-code runs, docs/performance.md "Third round"): a state of one process, not
      // of the code. With --baseline, fresh processes of both every round turn that into noise
      // between rounds, which the median absorbs, instead of a bias of the whole comparison.
      if ((ctx.rpc.baseline !== undefined || SERVERS.includes("ours-nats-tsx")) && rep > 1) {
        // In a shuffled order: the one restarted first then sits idle while the other starts and warms up.
        for (const [server, launch] of shuffled([...fresh], random)) {
          await children.get(server)?.stop();
          await launch();
          for (const c of cases) await runOne(server, c, 28, 3_000);
        }
      }
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
    const limited = [...children.values()].filter((child) => readFileSync(child.logFile, "utf8").includes(RATE_LIMITED));
    if (limited.length > 0)
      throw new Error(
        `rpc: ${limited.map((c) => c.name).join(", ")} dropped transcripts over the rate limit: the message row would not measure a transcript`,
      );
    const failed = records.filter((r) => !r.everyCallAnswered);
    if (failed.length > 0)
      throw new Error(`rpc: ${failed.length} run(s) did not get a response message for every call: ${JSON.stringify(failed[0])}`);
    return summarise(
      records,
      { servers: SERVERS, calls: cases.map((c) => c.name), inFlightLevels },
      requestsPerRun,
      rounds,
      ctx,
      verification,
    );
  } finally {
    await Promise.all([...children.values()].map((child) => child.stop()));
    await nats?.stop();
  }
}

function address(child: NodeChild | undefined): string {
  if (!child) throw new Error("server not started");
  return `127.0.0.1:${child.ready.port as number}`;
}

const REAL_APP_TARGETS: Partial<Record<RpcCase["name"], number>> = { subscribe: 0.7, message: 0.8 };

const COLUMNS: Record<ServerName, string> = {
  "raw-h2": "",
  bare: "",
  "ours-min": "framework only",
  "ours-noop": "real app, no-op broadcaster",
  "ours-nats": "real app, NATS broadcaster",
  "ours-nats-tsx": "real app, NATS broadcaster, through tsx",
  "ours-nats-baseline": "real app, NATS broadcaster, baseline",
};

function summarise(
  records: RunRecord[],
  selection: { servers: ServerName[]; calls: RpcCase["name"][]; inFlightLevels: number[] },
  requestsPerRun: number,
  rounds: number,
  ctx: BenchContext,
  verification: unknown,
): BenchResult {
  const { servers: SERVERS, calls, inFlightLevels } = selection;
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
  for (const call of calls) {
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
        // Issue 13: the real application (NATS broadcaster, as deployed) at 28 in flight.
        const appTarget = REAL_APP_TARGETS[call];
        if (server === "ours-nats" && inFlight === 28 && appTarget !== undefined) {
          targets.push({
            description: `${call}, ${inFlight} in flight, ${LABELS[server]} (real app): calls/s ≥ ${appTarget.toFixed(2)} × bare`,
            met: ctx.smoke ? null : rateRatio >= appTarget,
            value: `${rateRatio.toFixed(2)} × bare (middle half of rounds ${rateQuartiles[0].toFixed(2)}–${rateQuartiles[1].toFixed(2)}; CPU per call: bare's is ${cpuRatio.toFixed(2)} × ours)`,
          });
        }
      }
      headline.push(line);
    }
  }
  const driverRows: Cell[][] = (calls.includes("connect") ? inFlightLevels : []).map((inFlight) => {
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
    columns: ["call", "in flight", "bare calls/s", "bare CPU µs/call", ...SERVERS.filter((s) => s !== "bare").map((s) => COLUMNS[s])],
    digits: [undefined, 0, 0, 0],
    rows: headline,
    notes: [
      "framework only: our server with a minimal app of the same shape (same identifiers, channel, params and action schemas; no work). real app: channels/app.ts as `npm run rpc` serves it (info logging, in-memory call registry that lets the replayed call start again), with CALL_TRANSCRIPTS_PER_SECOND at its maximum so that every message is a transcript shown on the dashboard, none dropped by the per-call limit (checked in the logs).",
      (ctx.rpc.form ?? "compiled") === "compiled"
        ? 'ours: compiled as users deploy it (src/ by tsconfig.build.json as the "anycable-ts" package, channels/ and the server child by tsc), run by node with no loader' +
          (SERVERS.includes("ours-nats-tsx")
            ? "; through tsx: the same TypeScript run with tsx's loader, as the repository's tests and `npm run rpc` do."
            : ".")
        : "ours: the TypeScript run through tsx (--form=tsx), as the repository's tests and `npm run rpc` do; users deploy the compiled form.",
      ...(ctx.rpc.baseline === undefined
        ? []
        : [
            `baseline: the same server with src/, channels/ and bench/lib as of git ref ${ctx.rpc.baseline} (framework and application); it and the working tree's NATS server are fresh processes every round.`,
          ]),
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
    tables: driverRows.length > 0 ? [summary, table, driver] : [summary, table],
    data: { requestsPerRun, rounds, inFlightLevels, medians, runs: records, verification },
    targets,
  };
}
