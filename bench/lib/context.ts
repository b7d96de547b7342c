import { availableParallelism } from "node:os";

export interface BenchContext {
  /** Tiny sizes: proves the benchmark runs and reports, measures nothing. */
  smoke: boolean;
  /** --n: overrides the client counts of the storm-type benchmarks. */
  clients: number[] | undefined;
  /** Repetitions of every interleaved A/B cell (medians are reported). */
  reps: number;
  /** Where children write logs and scratch files. */
  workDir: string;
  /** --rpc-concurrency: the storm's anycable-go --rpc_concurrency settings (default 28, 64, 256). */
  rpcConcurrency?: number[] | undefined;
  /** --calls, --in-flight, --servers, --baseline: narrow the RPC benchmark (see bench/rpc.ts). */
  rpc: RpcSelection;
  /** Seed for the interleaving order. */
  seed: number;
  /** CPU for servers under test, and for load drivers; undefined when there are not two cores. */
  serverCpu: string | undefined;
  driverCpu: string | undefined;
  progress(message: string): void;
}

export function cpuLayout(): { serverCpu: string | undefined; driverCpu: string | undefined } {
  // Two cores: everything under test on CPU 0, load drivers on CPU 1, so a driver never steals
  // the server's core. With more cores the same split still holds; with one, nothing is pinned.
  return availableParallelism() >= 2 ? { serverCpu: "0", driverCpu: "1" } : { serverCpu: undefined, driverCpu: undefined };
}

/** What the RPC benchmark runs; every field left undefined means its full set. */
export interface RpcSelection {
  calls: string[] | undefined;
  inFlight: number[] | undefined;
  servers: string[] | undefined;
  /** A git ref whose channels/ also runs, as the real app with the NATS broadcaster: before/after in one run. */
  baseline: string | undefined;
  /** How our servers run: compiled by tsc and run by node (what users deploy; the default), or through tsx. */
  form?: ServerForm | undefined;
  /** Each server process writes a V8 CPU profile (`<server>.cpuprofile`) into this folder when it stops. */
  cpuProfDir?: string | undefined;
}

/** Compiled JavaScript run by node (`npm run build`'s output, as deployed) or TypeScript through tsx. */
export type ServerForm = "compiled" | "tsx";
