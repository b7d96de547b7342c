// Each benchmark runs end to end on a tiny size (--smoke) and reports in the agreed shape: a
// readable table on stdout and a JSON file. Nothing here looks at the numbers themselves.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
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

async function runSmoke(name: string): Promise<{ report: Report; stdout: string }> {
  const out = join(dir, `${name}.json`);
  const proc = await spawnProcess({
    name: `bench ${name}`,
    command: process.execPath,
    args: ["--import", "tsx", join(REPO_ROOT, "bench", "run.ts"), `--only=${name}`, "--smoke", `--out=${out}`],
    cwd: REPO_ROOT,
    inheritEnv: true,
    logLines: 2_000,
  });
  const exit = await withTimeout(proc.exited, 170_000, `bench --only=${name} --smoke`).finally(() => proc.stop());
  expect(exit.code, proc.describe()).toBe(0);
  return { report: JSON.parse(readFileSync(out, "utf8")) as Report, stdout: proc.logs() };
}

describe.each(["rpc", "storm", "fanout", "peer", "scale"])("npm run bench -- --only=%s --smoke", (name) => {
  it("runs and writes a well-formed report", { timeout: 180_000 }, async () => {
    const { report, stdout } = await runSmoke(name);
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
  });
});
