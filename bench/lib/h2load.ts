// h2load as a gRPC load driver: one HTTP/2 connection, N streams in flight, every request the
// same length-prefixed protobuf message. h2load only sees HTTP status, so callers check gRPC
// success separately (a real grpc-js client first, then the DATA byte count of every run).
import { spawn } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { rpcClientConstructor } from "anycable-ts";
import { favourForBenchmark } from "./children.js";
import { percentile, sortNumbers } from "./stats.js";

const serviceDefinition = rpcClientConstructor().service;

/** The gRPC wire frame of a request: compression flag 0, 4-byte big-endian length, protobuf. */
export function grpcFrame(method: string, message: unknown): Buffer {
  return lengthPrefixed(methodDefinition(method).requestSerialize(message));
}

/** The gRPC wire frame of a response; its length checks that every call returned a message. */
export function responseFrame(method: string, response: unknown): Buffer {
  return lengthPrefixed(methodDefinition(method).responseSerialize(response));
}

function methodDefinition(method: string): (typeof serviceDefinition)[string] {
  const definition = serviceDefinition[method];
  if (!definition) throw new Error(`anycable.RPC has no method ${method}`);
  return definition;
}

function lengthPrefixed(body: Buffer): Buffer {
  const prefix = Buffer.alloc(5);
  prefix.writeUInt32BE(body.length, 1);
  return Buffer.concat([prefix, body]);
}

export interface H2loadRun {
  requests: number;
  succeeded: number;
  failed: number;
  errored: number;
  /** Wall time h2load reports for the run. */
  seconds: number;
  callsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Bytes of DATA frames received: requests × response frame length when every call returned a message. */
  dataBytes: number;
  /** h2load's own CPU use over the run, as a fraction of one core. */
  driverCpu: number;
}

export interface H2loadOptions {
  url: string;
  bodyFile: string;
  inFlight: number;
  requests: number;
  headers: Record<string, string>;
  cpus: string | undefined;
  workDir: string;
  timeoutMs: number;
}

export function writeBody(workDir: string, name: string, frame: Buffer): string {
  const file = join(workDir, `${name}.bin`);
  writeFileSync(file, frame);
  return file;
}

export async function runH2load(options: H2loadOptions): Promise<H2loadRun> {
  const logFile = join(options.workDir, `h2load-${process.pid}-${Date.now()}.tsv`);
  const h2loadArgs = [
    "-c",
    "1",
    "-m",
    String(options.inFlight),
    "-n",
    String(options.requests),
    "-d",
    options.bodyFile,
    "-H",
    "content-type: application/grpc",
    "-H",
    "te: trailers",
    ...Object.entries(options.headers).flatMap(([k, v]) => ["-H", `${k}: ${v}`]),
    `--log-file=${logFile}`,
    options.url,
  ];
  // GNU time reports h2load's own CPU, which shows whether the driver was the bottleneck.
  const timed = ["/usr/bin/time", "-f", "BENCH_TIME %U %S %e", "h2load", ...h2loadArgs];
  const argv = options.cpus === undefined ? timed : ["taskset", "-c", options.cpus, ...timed];
  const { stdout, stderr, code } = await run(argv, options.timeoutMs);
  try {
    if (code !== 0) throw new Error(`h2load exited with ${code}\n${stdout}\n${stderr}`);
    const finished = /finished in ([\d.]+)(ms|s)/.exec(stdout);
    const requests = /requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored/.exec(stdout);
    const traffic = /traffic: .*?, [\d.]+\w* \((\d+)\) data/.exec(stdout);
    const timing = /BENCH_TIME ([\d.]+) ([\d.]+) ([\d.]+)/.exec(stderr);
    if (!finished || !requests || !traffic || !timing) throw new Error(`cannot parse h2load output\n${stdout}\n${stderr}`);
    const seconds = Number(finished[1]) / (finished[2] === "ms" ? 1000 : 1);
    const latencies = sortNumbers(
      readFileSync(logFile, "utf8")
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => Number(line.split("\t")[2]) / 1000),
    );
    const succeeded = Number(requests[4]);
    return {
      requests: Number(requests[1]),
      succeeded,
      failed: Number(requests[5]),
      errored: Number(requests[6]),
      seconds,
      callsPerSecond: succeeded / seconds,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      dataBytes: Number(traffic[1]),
      driverCpu: (Number(timing[1]) + Number(timing[2])) / Math.max(Number(timing[3]), 0.01),
    };
  } finally {
    rmSync(logFile, { force: true });
  }
}

function run(argv: string[], timeoutMs: number): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const [command, ...args] = argv as [string, ...string[]];
    // Its own session, so its scheduling group can be put ahead of other sessions' (see favourForBenchmark).
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], detached: true });
    if (child.pid !== undefined) favourForBenchmark(child.pid);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${command} ${args.join(" ")} did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    // "close", not "exit": the process can be reported gone before its last output has been read
    // from the pipes, and that output (h2load's summary, time's line) is what the run returns.
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code });
    });
  });
}

/** Calls `method` once with a real grpc-js client: the status and response h2load cannot see. */
export async function callOnce(
  address: string,
  method: "Connect" | "Command",
  request: unknown,
  metadata: Record<string, string>,
): Promise<unknown> {
  const Client = rpcClientConstructor();
  const client = new Client(address, grpc.credentials.createInsecure()) as unknown as grpc.Client &
    Record<
      string,
      (req: unknown, md: grpc.Metadata, opts: grpc.CallOptions, cb: (error: grpc.ServiceError | null, response: unknown) => void) => void
    >;
  const md = new grpc.Metadata();
  for (const [k, v] of Object.entries(metadata)) md.set(k, v);
  try {
    return await new Promise((resolve, reject) => {
      const call = client[method];
      if (!call) throw new Error(`no client method ${method}`);
      call.call(client, request, md, { deadline: Date.now() + 10_000 }, (error, response) => (error ? reject(error) : resolve(response)));
    });
  } finally {
    client.close();
  }
}
