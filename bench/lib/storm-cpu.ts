// The other half of "what does a call cost under anycable-go's traffic": the same RPC process a
// storm deployment uses, driven by h2load right after each of its storms with the requests a
// storm sends (a Connect with the bridge's headers, a subscribe to the call channel), as many in
// flight as that deployment's --rpc_concurrency. The storm's CPU per call divided by this one is
// what anycable-go's traffic costs beyond a saturating benchmark load, for the same code.
import { callOnce, grpcFrame, responseFrame, runH2load, writeBody } from "./h2load.js";
import { cpuSeconds } from "./proc-stats.js";
import type { BenchContext } from "./context.js";
import { callSidFor, rpcCases, SESSION_ID, type RpcCase } from "./requests.js";
import type { Deployment } from "./storm-harness.js";

const METADATA = { sid: SESSION_ID, protov: "v1" };
/** A call SID no storm uses (storms count up from 0), so h2load's replays never meet a storm's call. */
const H2LOAD_SID = callSidFor(2 ** 40);
const STORM_CALLS = ["connect", "subscribe"] as const;

export interface H2loadCpuRecord {
  deployment: string;
  /** The storm this run followed. */
  clients: number;
  round: number;
  inFlight: number;
  connectUsPerCall: number;
  subscribeUsPerCall: number;
  /** The storm's mix: one Connect and one subscribe per client. */
  mixUsPerCall: number;
  connectCallsPerSecond: number;
  subscribeCallsPerSecond: number;
  /** Every call succeeded and returned a reply of the expected length (h2load's DATA bytes). */
  everyCallAnswered: boolean;
}

function stormCases(): RpcCase[] {
  return rpcCases(H2LOAD_SID).filter((c) => (STORM_CALLS as readonly string[]).includes(c.name));
}

/** What one Connect and one subscribe of a storm get from a deployment, through a real grpc-js client. */
export async function stormReplies(deployment: Deployment): Promise<Record<string, unknown>> {
  const replies: Record<string, unknown> = {};
  for (const c of stormCases()) replies[c.name] = await callOnce(`127.0.0.1:${deployment.rpcPort}`, c.method, c.request, METADATA);
  return replies;
}

/** Calls per h2load run, each kind. */
export function h2loadRequests(ctx: BenchContext): number {
  return ctx.smoke ? 200 : 4_000;
}

export async function h2loadCpu(
  deployment: Deployment,
  replies: Record<string, unknown>,
  ctx: BenchContext,
  after: { clients: number; round: number },
): Promise<H2loadCpuRecord> {
  const requests = h2loadRequests(ctx);
  const inFlight = deployment.rpcConcurrency ?? 28;
  const pid = deployment.rpc[0]?.pid;
  if (pid === undefined) throw new Error(`${deployment.name} has no RPC process`);
  const result: Record<string, { usPerCall: number; callsPerSecond: number; answered: boolean }> = {};
  // Built per run: the Connect carries a bridge credential, valid for a minute.
  for (const c of stormCases()) {
    const before = cpuSeconds(pid);
    const run = await runH2load({
      url: `http://127.0.0.1:${deployment.rpcPort}/anycable.RPC/${c.method}`,
      bodyFile: writeBody(ctx.workDir, `storm-cpu-${c.name}`, grpcFrame(c.method, c.request)),
      inFlight,
      requests,
      headers: METADATA,
      cpus: ctx.driverCpu,
      workDir: ctx.workDir,
      timeoutMs: 120_000,
    });
    const cpu = cpuSeconds(pid) - before;
    const frame = responseFrame(c.method, replies[c.name]).length;
    result[c.name] = {
      usPerCall: (cpu / run.succeeded) * 1e6,
      callsPerSecond: run.callsPerSecond,
      answered: run.succeeded === requests && run.dataBytes === requests * frame,
    };
  }
  const connect = result.connect as (typeof result)[string];
  const subscribe = result.subscribe as (typeof result)[string];
  return {
    deployment: deployment.name,
    clients: after.clients,
    round: after.round,
    inFlight,
    connectUsPerCall: connect.usPerCall,
    subscribeUsPerCall: subscribe.usPerCall,
    mixUsPerCall: (connect.usPerCall + subscribe.usPerCall) / 2,
    connectCallsPerSecond: connect.callsPerSecond,
    subscribeCallsPerSecond: subscribe.callsPerSecond,
    everyCallAnswered: connect.answered && subscribe.answered,
  };
}
