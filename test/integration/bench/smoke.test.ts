// Each benchmark runs end to end on a tiny size (--smoke) and reports in the agreed shape: a
// readable table on stdout and a JSON file. No timing is judged here, but what a benchmark
// measured must have worked: every client confirmed, no RPC error, every call answered, every
// publication delivered. A storm whose connections were all rejected is not a fast storm.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { functionTimes } from "../../../bench/lib/cpu-profile.js";
import { REPO_ROOT } from "../../support/binaries.js";
import { spawnProcess } from "../../support/process.js";
import { withTimeout } from "../../support/wait.js";

const dir = mkdtempSync(join(tmpdir(), "bench-smoke-"));

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface Report {
  command: string;
  smoke: boolean;
  machine: Record<string, unknown>;
  results: Array<{
    name: string;
    title: string;
    seconds: number;
    tables: Array<{ title: string; columns: string[]; rows: unknown[][] }>;
    targets: Array<{ description: string; met: boolean | null; value: string }>;
    data: Record<string, unknown>;
  }>;
}

async function runSmoke(name: string, extraArgs: readonly string[] = []): Promise<{ report: Report; stdout: string }> {
  const out = join(dir, `${name}.json`);
  const proc = await spawnProcess({
    name: `bench ${name}`,
    command: process.execPath,
    args: ["--import", "tsx", join(REPO_ROOT, "bench", "run.ts"), `--only=${name}`, "--smoke", `--out=${out}`, ...extraArgs],
    cwd: REPO_ROOT,
    inheritEnv: true,
    logLines: 2_000,
  });
  const exit = await withTimeout(proc.exited, 170_000, `bench --only=${name} --smoke`).finally(() => proc.stop());
  expect(exit.code, proc.describe()).toBe(0);
  return { report: JSON.parse(readFileSync(out, "utf8")) as Report, stdout: proc.logs() };
}

/** A storm round as bench/lib/storm-harness.ts records it (storm, peer and scale). */
interface StormRun {
  deployment: string;
  clients: number;
  confirmed: number;
  failures: Record<string, number>;
  rpcErrors: number;
  failedAuths: number;
  drained: boolean;
}

/** What each benchmark's data must show for its numbers to mean anything. */
const everythingWorked: Record<string, (data: Record<string, unknown>) => void> = {
  rpc(data) {
    const runs = data.runs as Array<{ server: string; call: string; everyCallAnswered: boolean }>;
    expect(runs.length).toBeGreaterThan(0);
    for (const run of runs) expect(run.everyCallAnswered, `${run.server} ${run.call}`).toBe(true);
    const verdicts = Object.values(data.verification as Record<string, Record<string, string>>).flatMap(Object.values);
    expect(verdicts.length).toBeGreaterThan(0);
    for (const verdict of verdicts) expect(verdict).toBe("gRPC OK, status SUCCESS");
  },
  storm(data) {
    stormWorked(data);
    // The limit row: ours with the real app, ours with the minimal app and the bare server all stormed.
    const deployments = new Set((data.runs as StormRun[]).map((run) => run.deployment));
    expect([...deployments].sort()).toEqual(["bare-c28", "ceiling", "min-c28", "ours-c28"]);
    // And h2load drove each RPC process after its storm, every call answered with ours's reply bytes.
    const h2load = data.h2loadRuns as Array<{ deployment: string; everyCallAnswered: boolean; mixUsPerCall: number }>;
    expect(new Set(h2load.map((run) => run.deployment))).toEqual(new Set(["bare-c28", "min-c28", "ours-c28"]));
    for (const run of h2load) {
      expect(run.everyCallAnswered, run.deployment).toBe(true);
      expect(run.mixUsPerCall, run.deployment).toBeGreaterThan(0);
    }
  },
  peer: stormWorked,
  scale: stormWorked,
  fanout(data) {
    const variants = data.medians as Array<{ adapter: string; publisher: string; delivered: number; expected: number }>;
    expect(variants.length).toBeGreaterThan(0);
    for (const v of variants) {
      expect(v.expected, `${v.adapter} ${v.publisher}`).toBeGreaterThan(0);
      expect(v.delivered, `${v.adapter} ${v.publisher}: delivered of expected`).toBe(v.expected);
    }
  },
  throughput(data) {
    const runs = data.runs as Array<{
      variant: string;
      round: number;
      delivered: number;
      expected: number;
      outOfOrder: number;
      failures: number;
      endToEndPerSecond: number | null;
    }>;
    // Every variant (ours and raw, four adapters) ran its burst, and every subscriber got every publication once, in order.
    expect(new Set(runs.map((run) => run.variant)).size).toBe(8);
    for (const run of runs) {
      const label = `${run.variant}, round ${run.round}`;
      expect(run.expected, label).toBeGreaterThan(0);
      expect({ delivered: run.delivered, outOfOrder: run.outOfOrder, failures: run.failures }, label).toEqual({
        delivered: run.expected,
        outOfOrder: 0,
        failures: 0,
      });
      expect(run.endToEndPerSecond, label).toEqual(expect.any(Number));
    }
    // The overload phase lost nothing: whatever was accepted was found past the publishing process.
    const floods = data.floods as Array<{
      adapter: string;
      accepted: number;
      reachedBroker: number;
      rejectedOther: number;
      drained: boolean;
    }>;
    expect(floods.map((flood) => flood.adapter)).toEqual(["nats", "redis", "redisx", "http"]);
    for (const flood of floods) {
      expect(flood.accepted, flood.adapter).toBeGreaterThan(0);
      expect({ reached: flood.reachedBroker, rejectedOther: flood.rejectedOther, drained: flood.drained }, flood.adapter).toEqual({
        reached: flood.accepted,
        rejectedOther: 0,
        drained: true,
      });
    }
    expect((data.loggedErrors as { other: number }).other).toBe(0);
  },
};

function stormWorked(data: Record<string, unknown>): void {
  const runs = data.runs as StormRun[];
  expect(runs.length).toBeGreaterThan(0);
  for (const run of runs) {
    const label = `${run.deployment}, ${run.clients} clients`;
    expect(run.clients, label).toBeGreaterThan(0);
    expect({ confirmed: run.confirmed, failures: run.failures }, label).toEqual({ confirmed: run.clients, failures: {} });
    expect({ rpcErrors: run.rpcErrors, failedAuths: run.failedAuths, drained: run.drained }, label).toEqual({
      rpcErrors: 0,
      failedAuths: 0,
      drained: true,
    });
  }
}

// The rpc smoke also profiles its servers (--cpu-prof): the profiles must come out readable.
const profiles = join(dir, "profiles");
const extraArgs: Record<string, string[]> = { rpc: [`--cpu-prof=${profiles}`] };

describe.each(["rpc", "storm", "fanout", "peer", "scale", "throughput"])("npm run bench -- --only=%s --smoke", (name) => {
  it("runs, writes a well-formed report, and everything it measured worked", { timeout: 180_000 }, async () => {
    const { report, stdout } = await runSmoke(name, extraArgs[name]);
    expect(report.smoke).toBe(true);
    expect(report.command).toContain(`--only=${name}`);
    expect(report.machine).toMatchObject({ nproc: expect.any(Number), node: process.version, anycableGo: expect.any(String) });
    expect(report.results).toHaveLength(1);
    const [result] = report.results;
    expect(result?.name).toBe(name);
    expect(result?.seconds).toBeGreaterThan(0);
    expect(result?.tables.length).toBeGreaterThan(0);
    for (const table of result?.tables ?? []) {
      expect(table.rows.length, table.title).toBeGreaterThan(0);
      for (const row of table.rows) expect(row, table.title).toHaveLength(table.columns.length);
      // The printed table carries the same title and header.
      expect(stdout).toContain(table.title);
      expect(stdout).toContain(`| ${table.columns[0]}`);
    }
    // Smoke sizes measure nothing, so no target may claim to be met or missed.
    for (const target of result?.targets ?? []) expect(target.met).toBeNull();
    expect(result?.data).toEqual(expect.objectContaining({ medians: expect.anything() }));
    everythingWorked[name]!(result?.data ?? {});
    if (name === "rpc") {
      // Every server stopped cleanly and wrote its profile, which shows it answering gRPC calls.
      expect(readdirSync(profiles).sort()).toEqual(
        ["bare", "ours-min", "ours-nats", "ours-noop", "raw-h2"].map((server) => `${server}.cpuprofile`),
      );
      const ours = functionTimes(JSON.parse(readFileSync(join(profiles, "ours-nats.cpuprofile"), "utf8")));
      expect(ours.busyMs).toBeGreaterThan(0);
      expect(
        [...ours.inclusive.keys()].some((key) => key.includes("rpc/handler.js")),
        "the RPC handler in the profile",
      ).toBe(true);
    }
  });
});
