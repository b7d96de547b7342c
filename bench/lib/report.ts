// What every benchmark hands the runner: tables for people, data for the JSON file.
export type Cell = string | number | null | undefined;

export interface Table {
  title: string;
  columns: string[];
  rows: Cell[][];
  /** Decimals per column for numbers; by default whole numbers print as such, others with one. */
  digits?: (number | undefined)[];
  /** Lines printed under the table: what the numbers mean, where the driver stood. */
  notes?: string[];
}

export interface BenchResult {
  name: string;
  title: string;
  tables: Table[];
  /** Structured results for the JSON file: every run's raw numbers plus the medians. */
  data: Record<string, unknown>;
  /** Targets from the brief with whether this run met them. */
  targets: Target[];
  seconds?: number;
}

export interface Target {
  description: string;
  met: boolean | null;
  value: string;
}

export function fmt(value: Cell, digits?: number): string {
  if (value === null || value === undefined) return "–";
  if (typeof value === "string") return value;
  if (!Number.isFinite(value)) return "–";
  const places = digits ?? (Number.isInteger(value) ? 0 : 1);
  return value.toLocaleString("en-US", { minimumFractionDigits: places, maximumFractionDigits: places });
}

export function renderTable(table: Table): string {
  const cells = table.rows.map((row) => row.map((cell, i) => fmt(cell, table.digits?.[i])));
  const widths = table.columns.map((column, i) => Math.max(column.length, ...cells.map((row) => (row[i] ?? "").length)));
  // Numbers, and strings that read as numbers or percentages, line up on the right.
  const numberLike = (cell: Cell): boolean =>
    typeof cell === "number" ||
    cell === null ||
    cell === undefined ||
    (typeof cell === "string" && /^[-+]?[\d.,]+\s*(%|×|x)?$|^–$/.test(cell));
  const numeric = table.columns.map((_, i) => table.rows.every((row) => numberLike(row[i])));
  const line = (values: string[]): string =>
    `| ${values.map((v, i) => (numeric[i] ? v.padStart(widths[i] ?? 0) : v.padEnd(widths[i] ?? 0))).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (numeric[i] ? `${"-".repeat(w + 1)}:` : "-".repeat(w + 2))).join("|")}|`;
  const out = [`${table.title}`, "", line(table.columns), rule, ...cells.map(line)];
  if (table.notes?.length) out.push("", ...table.notes.map((n) => `- ${n}`));
  return out.join("\n");
}
