// Prints line and branch coverage per folder of src/ and channels/ from the json-summary Vitest
// wrote (coverage/coverage-summary.json), beside each folder's floor (test/coverage-floors.ts).
// Vitest itself fails the run when a folder falls below its floor; this table shows the margins.
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { z } from "zod";
import { coverageFloors } from "../test/coverage-floors.js";

const counts = z.object({ total: z.number(), covered: z.number() });
const summary = z
  .record(z.string(), z.object({ lines: counts, branches: counts }))
  .parse(JSON.parse(readFileSync("coverage/coverage-summary.json", "utf8")));

/** "src/rpc" for src/rpc/handler.ts, "channels/web" for channels/web/routes/x.ts, "src/*.ts" for src/index.ts. */
function folderOf(file: string): string {
  const parts = relative(process.cwd(), file).split("/");
  return parts.length > 2 ? `${parts[0]}/${parts[1]}` : `${parts[0]}/*.ts`;
}

const folders = new Map<string, { lines: { total: number; covered: number }; branches: { total: number; covered: number } }>();
for (const [file, totals] of Object.entries(summary)) {
  if (file === "total") continue;
  const folder = folderOf(file);
  add(folder.split("/")[0]!, totals);
  add(folder, totals);
}

function add(folder: string, totals: { lines: { total: number; covered: number }; branches: { total: number; covered: number } }): void {
  const sum = folders.get(folder) ?? { lines: { total: 0, covered: 0 }, branches: { total: 0, covered: 0 } };
  sum.lines.total += totals.lines.total;
  sum.lines.covered += totals.lines.covered;
  sum.branches.total += totals.branches.total;
  sum.branches.covered += totals.branches.covered;
  folders.set(folder, sum);
}

const pct = ({ total, covered }: { total: number; covered: number }) => (total === 0 ? 100 : (100 * covered) / total);
const cell = (value: number, floor: number | undefined) =>
  `${value.toFixed(1).padStart(6)}${floor === undefined ? "       " : ` (${String(floor).padStart(3)})`}`;

console.log("\ncoverage per folder: lines, branches (floor)");
for (const [folder, sum] of [...folders].sort(([a], [b]) => a.localeCompare(b))) {
  const floor = coverageFloors[folder];
  console.log(`  ${folder.padEnd(22)} ${cell(pct(sum.lines), floor?.lines)}  ${cell(pct(sum.branches), floor?.branches)}`);
}
