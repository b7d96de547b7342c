// Deployments of anycable-go + RPC server(s) that the storm-type benchmarks (storm, peer, scale)
// run connection storms against, interleaved round by round, with the bookkeeping every storm
// needs: anycable-go's counters, the RPC processes' CPU, the drain of Disconnect calls afterwards,
// and the RPC heap after each drain.
import { loadavg } from "node:os";
import type { AnycableGo } from "../../test/support/anycable-go.js";
import { freePort } from "../../test/support/ports.js";
import { signStreamName } from "anycable-ts";
import { delta, METRIC, readMetrics, startBenchAnycable, waitForDrain, type Metrics } from "./anycable.js";
import { NodeChild } from "./children.js";
import type { BenchContext } from "./context.js";
import { cpuSeconds, rssBytes } from "./proc-stats.js";
import { CALL_MONITOR_HEADERS } from "../../channels/cable/protocol.js";
import { ACCOUNT_SID, APP_ENV, BRIDGE_SECRET } from "./requests.js";
import type { ServerConfig } from "./server-child.js";
import type { StormCommand, StormResult } from "./storm-client.js";
import { median, seededRandom, shuffled, sleep } from "./stats.js";

export interface Deployment {
  name: string;
  label: string;
  anycable: AnycableGo;
  rpc: NodeChild[];
  /** The port the RPC process(es) listen on (h2load drives the same process beside its storms). */
  rpcPort: number;
  /** anycable-go's --rpc_concurrency (none for the ceiling). */
  rpcConcurrency: number | undefined;
  /** Headers and subscription every client of this deployment uses. */
  headers: Record<string, string>;
  /** Each client connects as the media-stream bridge for its call (account header and bridge credential). */
  twilio: boolean;
  subscription: StormCommand["subscription"];
  /** RPC calls per client during the storm (Connect + subscribe), 0 when nothing reaches RPC. */
  rpcCallsPerClient: number;
  stop(): Promise<void>;
}

export interface DeploymentSpec {
  name: string;
  label: string;
  /** bare: grpc-js answering ours's replies with nothing behind them, the limit of any RPC server. */
  kind: "ours" | "peer" | "ceiling" | "bare";
  /** How anycable-go reaches ours: gRPC (default) or HTTP RPC. The peer speaks HTTP RPC only. */
  transport?: "grpc" | "http";
  rpcConcurrency?: number;
  /** Number of RPC processes (ours only); more than one are found through a DNS name. */
  processes?: number;
  /** CPU for the RPC process(es) and anycable-go; undefined: the scheduler's choice. */
  cpus: string | undefined;
  /** CPU per RPC process when they differ (scale); overrides `cpus` for RPC. */
  rpcCpus?: (string | undefined)[];
  app?: string;
  /** For several processes: anycable-go's --rpc_host and each process's bind address. */
  rpcTargets?: (port: number) => { rpcHost: string; binds: string[] };
  /** Extra node flags for the RPC process(es), e.g. --cpu-prof when looking for a cost. */
  nodeArgs?: string[];
  /** Extra environment of the RPC process(es), e.g. MALLOC_ARENA_MAX when looking at memory. */
  env?: Record<string, string>;
  /** Ours only, when looking for a cost: its log level (default info) and broadcaster (default NATS). */
  logLevel?: string;
  broadcast?: "nats" | "none";
}

const STREAMS_SECRET = "bench-streams-secret";
/** anycable-go's --http_rpc_secret for ours over HTTP: every call pays the bearer check, as in production. */
const HTTP_RPC_SECRET = "bench-http-rpc-secret";
const HTTP_RPC_PATH = "/_anycable";

/** Disconnect calls are rate-limited (100/s by default); raised so a 5,000-client storm drains in seconds, not a minute. */
const DISCONNECT_RATE = 1_000;

export async function deploy(spec: DeploymentSpec, ctx: BenchContext): Promise<Deployment> {
  const rpcPort = await freePort();
  const processes = spec.processes ?? 1;
  const targets = spec.rpcTargets?.(rpcPort) ?? { rpcHost: `127.0.0.1:${rpcPort}`, binds: ["127.0.0.1"] };
  const common = [`--headers=${CALL_MONITOR_HEADERS.join(",")}`, `--disconnect_rate=${DISCONNECT_RATE}`];
  let anycable: AnycableGo;
  if (spec.kind === "ceiling") {
    anycable = await startBenchAnycable({ args: [...common, "--noauth", `--streams_secret=${STREAMS_SECRET}`] }, spec.cpus);
  } else {
    const rpcHost = overHttp(spec) ? `http://127.0.0.1:${rpcPort}${HTTP_RPC_PATH}` : targets.rpcHost;
    const auth = spec.kind === "ours" && spec.transport === "http" ? [`--http_rpc_secret=${HTTP_RPC_SECRET}`] : [];
    anycable = await startBenchAnycable(
      {
        rpcHost,
        embedNats: true,
        broadcastAdapter: "nats",
        args: [...common, `--rpc_concurrency=${spec.rpcConcurrency ?? 28}`, ...auth],
      },
      spec.cpus,
    );
  }
  const rpc: NodeChild[] = [];
  try {
    if (spec.kind !== "ceiling") {
      const broadcast = { adapter: "nats" as const, url: anycable.natsUrl as string };
      for (let i = 0; i < processes; i++) {
        const config: ServerConfig =
          spec.kind === "bare"
            ? { kind: "echo", host: `${targets.binds[i] ?? "127.0.0.1"}:${rpcPort}` }
            : spec.kind === "peer"
              ? {
                  kind: "peer",
                  hostname: "127.0.0.1",
                  port: rpcPort,
                  broadcast,
                  logLevel: "info",
                  accountSid: ACCOUNT_SID,
                  bridgeSecret: BRIDGE_SECRET,
                }
              : {
                  kind: "ours",
                  host: `${targets.binds[i] ?? "127.0.0.1"}:${rpcPort}`,
                  http: spec.transport === "http" ? { mountPath: HTTP_RPC_PATH, secret: HTTP_RPC_SECRET } : undefined,
                  app: spec.app ?? "channels/app.ts",
                  broadcast: spec.broadcast === "none" ? { adapter: "none" } : broadcast,
                  logLevel: spec.logLevel ?? "info",
                  env: APP_ENV,
                };
        rpc.push(
          await NodeChild.start({
            name: `${spec.name}-rpc${i}`,
            script: "bench/lib/server-child.ts",
            config,
            cpus: spec.rpcCpus?.[i] ?? spec.cpus,
            // gc() on request, so heap readings between storms are after collection.
            nodeArgs: ["--expose-gc", ...(spec.nodeArgs ?? [])],
            env: spec.env,
            logDir: ctx.workDir,
          }),
        );
      }
    }
  } catch (error) {
    await Promise.all(rpc.map((r) => r.stop()));
    await anycable.stop();
    throw error;
  }
  const ceiling = spec.kind === "ceiling";
  return {
    name: spec.name,
    label: spec.label,
    anycable,
    rpc,
    rpcPort,
    rpcConcurrency: ceiling ? undefined : (spec.rpcConcurrency ?? 28),
    headers: {},
    twilio: !ceiling,
    subscription: ceiling
      ? { kind: "fixed", identifier: JSON.stringify({ channel: "$pubsub", signed_stream_name: signStreamName("calls", STREAMS_SECRET) }) }
      : { kind: "call", offset: 0 },
    rpcCallsPerClient: ceiling ? 0 : 2,
    async stop() {
      await Promise.all(rpc.map((r) => r.stop()));
      await anycable.stop();
    },
  };
}

function overHttp(spec: DeploymentSpec): boolean {
  return spec.kind === "peer" || spec.transport === "http";
}

/** What the load client measured, as the record keeps it. */
type ClientSide = Pick<
  StormResult,
  "confirmed" | "failures" | "seconds" | "clientsPerSecond" | "p50Ms" | "p99Ms" | "failureAgeMs" | "loopDelayMaxMs"
>;

export interface StormRecord extends ClientSide {
  deployment: string;
  clients: number;
  round: number;
  /** The host's 1-minute load average when the storm began: how busy the shared machine was. */
  loadAverage: number;
  rpcCalls: number;
  rpcErrors: number;
  rpcRetries: number;
  failedAuths: number;
  /** CPU of all RPC processes over the storm, per RPC call. */
  rpcCpuUsPerCall: number | null;
  /** Share of RPC CPU taken by each process (scale-out: is the load spread?). */
  rpcCpuShares: number[];
  anycableCpuSeconds: number;
  drainSeconds: number;
  drained: boolean;
  /** Of the first RPC process, after the drain and a forced GC. */
  memory: { rss: number; heapUsed: number; heapTotal: number; newSpace: number | null; external: number } | null;
  /** TCP connections the (HTTP-RPC) server accepted over the storm and its drain; null for gRPC. */
  rpcConnectionsOpened: number | null;
}

function clientSide(r: StormResult): ClientSide {
  const { confirmed, failures, seconds, clientsPerSecond, p50Ms, p99Ms, failureAgeMs, loopDelayMaxMs } = r;
  return { confirmed, failures, seconds, clientsPerSecond, p50Ms, p99Ms, failureAgeMs, loopDelayMaxMs };
}

export class StormRunner {
  readonly #ctx: BenchContext;
  readonly #client: NodeChild;
  #offset = 0;

  private constructor(ctx: BenchContext, client: NodeChild) {
    this.#ctx = ctx;
    this.#client = client;
  }

  static async start(ctx: BenchContext, cpus: string | undefined = ctx.driverCpu): Promise<StormRunner> {
    const client = await NodeChild.start({
      name: "storm-client",
      script: "bench/lib/storm-client.ts",
      config: {},
      cpus,
      logDir: ctx.workDir,
    });
    return new StormRunner(ctx, client);
  }

  async stop(): Promise<void> {
    await this.#client.stop();
  }

  /** One storm of `clients` against `deployment`, then close every socket and wait for the Disconnect calls to finish. */
  async storm(deployment: Deployment, clients: number, round: number): Promise<StormRecord> {
    const window = Math.min(1_000, clients);
    const loadAverage = loadavg()[0] as number;
    const before = await readMetrics(deployment.anycable);
    const connectionsBefore = await this.#acceptedConnections(deployment);
    const rpcCpuBefore = deployment.rpc.map((r) => cpuSeconds(r.pid));
    const anycableCpuBefore = cpuSeconds(deployment.anycable.process.pid);
    const command: StormCommand = {
      type: "storm",
      url: deployment.anycable.url,
      clients,
      window,
      timeoutMs: this.#ctx.smoke ? 30_000 : 90_000,
      headers: deployment.headers,
      twilio: deployment.twilio,
      // Fresh call SIDs every storm, as real calls would be.
      subscription: deployment.subscription.kind === "call" ? { kind: "call", offset: this.#offset } : deployment.subscription,
    };
    this.#offset += clients;
    const result = await this.#client.request<StormResult & Record<string, unknown>>(
      { ...command },
      "stormResult",
      command.timeoutMs + 30_000,
    );
    const after = await readMetrics(deployment.anycable);
    const rpcCpu = deployment.rpc.map((r, i) => cpuSeconds(r.pid) - (rpcCpuBefore[i] as number));
    const anycableCpuSeconds = cpuSeconds(deployment.anycable.process.pid) - anycableCpuBefore;
    await this.#client.request({ type: "close", timeoutMs: 15_000 }, "closed", 60_000);
    const drain = await waitForDrain(deployment.anycable, this.#ctx.smoke ? 30_000 : 60_000);
    // One "mem" after the drain: it forces a GC and reports memory and accepted connections together.
    const first = deployment.rpc[0];
    const afterDrain = first
      ? await first.request<{
          type: string;
          heapUsed: number;
          heapTotal: number;
          newSpace: number | null;
          external: number;
          acceptedConnections: number | null;
        }>({ type: "mem" }, "mem", 30_000)
      : undefined;
    const memory: StormRecord["memory"] =
      first && afterDrain
        ? {
            rss: rssBytes(first.pid),
            heapUsed: afterDrain.heapUsed,
            heapTotal: afterDrain.heapTotal,
            newSpace: afterDrain.newSpace,
            external: afterDrain.external,
          }
        : null;
    const connectionsAfter = afterDrain?.acceptedConnections ?? null;
    const rpcCalls = delta(after, before, METRIC.rpcCalls);
    const totalRpcCpu = rpcCpu.reduce((a, b) => a + b, 0);
    return {
      deployment: deployment.name,
      clients,
      round,
      loadAverage,
      ...clientSide(result),
      rpcCalls,
      rpcErrors: delta(after, before, METRIC.rpcErrors),
      rpcRetries: delta(after, before, METRIC.rpcRetries),
      failedAuths: delta(after, before, METRIC.failedAuths),
      rpcCpuUsPerCall: deployment.rpc.length > 0 && rpcCalls > 0 ? (totalRpcCpu / rpcCalls) * 1e6 : null,
      rpcCpuShares: totalRpcCpu > 0 ? rpcCpu.map((c) => c / totalRpcCpu) : [],
      anycableCpuSeconds,
      drainSeconds: drain.seconds,
      drained: drain.drained,
      memory,
      rpcConnectionsOpened: connectionsBefore === null || connectionsAfter === null ? null : connectionsAfter - connectionsBefore,
    };
  }

  async #acceptedConnections(deployment: Deployment): Promise<number | null> {
    const first = deployment.rpc[0];
    if (!first) return null;
    // "mem" also forces a GC; cheap enough between storms, and it keeps the child protocol small.
    const reply = await first.request<{ type: string; acceptedConnections: number | null }>({ type: "mem" }, "mem", 30_000);
    return reply.acceptedConnections;
  }

  /**
   * Every deployment × client count × round, the deployments in a fresh shuffled order each time,
   * after one small warm-up storm per deployment (JIT, connection pools), returned as round 0.
   */
  async interleave(
    deployments: Deployment[],
    sizes: number[],
    rounds: number,
    /** Runs after each measured storm has drained, before the next deployment's storm. */
    afterStorm?: (deployment: Deployment, record: StormRecord) => Promise<void>,
  ): Promise<StormRecord[]> {
    const random = seededRandom(this.#ctx.seed);
    const records: StormRecord[] = [];
    for (const d of deployments) {
      this.#ctx.progress(`  warm-up ${d.name}`);
      records.push(await this.storm(d, this.#ctx.smoke ? 10 : 300, 0));
    }
    for (let round = 1; round <= rounds; round++) {
      for (const clients of sizes) {
        for (const d of shuffled(deployments, random)) {
          const record = await this.storm(d, clients, round);
          this.#ctx.progress(
            `  round ${round}/${rounds} ${d.name} ${clients} (load ${record.loadAverage.toFixed(1)}): ${record.confirmed}/${clients} confirmed in ${record.seconds.toFixed(2)} s` +
              (Object.keys(record.failures).length
                ? `, failures ${JSON.stringify(record.failures)} ${failureAges(record)} after opening (load client's longest stall ${record.loopDelayMaxMs.toFixed(0)} ms)`
                : "") +
              `, drained in ${record.drainSeconds.toFixed(1)} s`,
          );
          records.push(record);
          await afterStorm?.(d, record);
        }
      }
    }
    return records;
  }
}

function failureAges({ failureAgeMs }: StormRecord): string {
  return failureAgeMs ? `${(failureAgeMs.min / 1000).toFixed(1)}–${(failureAgeMs.max / 1000).toFixed(1)} s` : "";
}

function measured(records: StormRecord[], deployment: string, clients: number): StormRecord[] {
  return records.filter((r) => r.round > 0 && r.deployment === deployment && r.clients === clients);
}

/** Median of a field over the measured (non-warm-up) records of one deployment and size. */
export function medianOf(records: StormRecord[], deployment: string, clients: number, pick: (r: StormRecord) => number | null): number {
  const values = measured(records, deployment, clients)
    .map(pick)
    .filter((v): v is number => v !== null && Number.isFinite(v));
  return median(values);
}

/** `numerator ÷ denominator` of one field, per round (after the warm-up), then the median. */
export function pairedRatio(
  records: StormRecord[],
  clients: number,
  pick: (r: StormRecord) => number | null,
  numerator: string,
  denominator: string,
): number {
  const ratios: number[] = [];
  for (const base of measured(records, denominator, clients)) {
    const other = records.find((r) => r.deployment === numerator && r.clients === clients && r.round === base.round);
    const a = pick(base);
    const b = other ? pick(other) : null;
    if (a !== null && b !== null && a > 0) ratios.push(b / a);
  }
  return median(ratios);
}

export function sumOf(records: StormRecord[], deployment: string, clients: number, pick: (r: StormRecord) => number): number {
  return measured(records, deployment, clients).reduce((sum, r) => sum + pick(r), 0);
}

export function failureText(records: StormRecord[], deployment: string, clients: number): string {
  const totals: Record<string, number> = {};
  for (const r of measured(records, deployment, clients)) {
    for (const [reason, count] of Object.entries(r.failures)) totals[reason] = (totals[reason] ?? 0) + count;
  }
  const entries = Object.entries(totals);
  return entries.length === 0 ? "0" : entries.map(([reason, count]) => `${count} ${reason}`).join(", ");
}

export function defaultSizes(ctx: BenchContext): number[] {
  return ctx.clients ?? (ctx.smoke ? [20] : [1_000, 5_000]);
}

export { sleep, type Metrics };
