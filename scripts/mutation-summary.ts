// Writes test/mutation/summary.md from the per-folder incremental reports Stryker leaves in
// test/mutation/ (scripts/mutation.sh): the score of each folder of src/ and every mutant no test
// caught, with the reason it is equivalent when test/mutation/equivalent.json gives one, or how it
// was killed by hand when Stryker cannot see the kill (test/mutation/killed-by-hand.json).
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";

const DIR = "test/mutation";

const mutantSchema = z.object({
  mutatorName: z.string(),
  replacement: z.string().optional(),
  status: z.string(),
  location: z.object({ start: z.object({ line: z.number(), column: z.number() }) }),
});
const reportSchema = z.object({
  files: z.record(z.string(), z.object({ mutants: z.array(mutantSchema) })),
});
/** "file:line:column:mutator" -> why no test can tell the mutant from the original. */
const equivalentSchema = z.record(z.string(), z.string());

const DETECTED = new Set(["Killed", "Timeout"]);
const UNDETECTED = new Set(["Survived", "NoCoverage"]);

const equivalentPath = join(DIR, "equivalent.json");
/**
 * "file:line:column:mutator" -> how a test fails on the mutant applied by hand, for mutants Stryker
 * records as Survived without being able to see that failure (module-level values its Vitest runner
 * does not re-evaluate). They stay undetected in every score: the note only says why.
 */
const killedByHandPath = join(DIR, "killed-by-hand.json");
/** Hand-written notes on the latest runs (what they covered, what is left), appended as they are. */
const notesPath = join(DIR, "notes.md");
const readReasons = (path: string) => (existsSync(path) ? equivalentSchema.parse(JSON.parse(readFileSync(path, "utf8"))) : {});
const equivalent = readReasons(equivalentPath);
const killedByHand = readReasons(killedByHandPath);

const rows: string[] = [];
const survivors: string[] = [];
for (const name of readdirSync(DIR)
  .filter((f) => f.endsWith(".incremental.json"))
  .sort()) {
  // rpc.incremental.json is src/rpc; channels.bridge.incremental.json is channels/bridge.
  const stem = name.replace(/\.incremental\.json$/, "");
  const folder = stem.startsWith("channels.") ? stem.replace(".", "/") : `src/${stem}`;
  const report = reportSchema.parse(JSON.parse(readFileSync(join(DIR, name), "utf8")));
  let detected = 0;
  let undetected = 0;
  let explained = 0;
  let invalid = 0;
  let timeouts = 0;
  for (const [file, { mutants }] of Object.entries(report.files).sort(([a], [b]) => a.localeCompare(b))) {
    for (const m of mutants) {
      if (DETECTED.has(m.status)) {
        detected += 1;
        if (m.status === "Timeout") timeouts += 1;
      } else if (UNDETECTED.has(m.status)) {
        undetected += 1;
        const key = `${file}:${m.location.start.line}:${m.location.start.column}:${m.mutatorName}`;
        const why = equivalent[key];
        if (why) explained += 1;
        const replacement = (m.replacement ?? "").replace(/\s+/g, " ").slice(0, 80).replace(/\|/g, "\\|");
        const byHand = killedByHand[key];
        const reason = why ?? (byHand ? `killed by hand, not seen by Stryker: ${byHand}` : "**not yet killed**");
        survivors.push(`| \`${key}\` | ${m.status} | \`${replacement}\` | ${reason} |`);
      } else invalid += 1;
    }
  }
  const total = detected + undetected;
  // A timeout on a busy machine may be a mutant that only waited for the CPU (see notes.md), so the
  // score that counts only kills is shown beside the one that counts timeouts as detected.
  const killedOnly = total === 0 ? "n/a" : `${((100 * (detected - timeouts)) / total).toFixed(1)} %`;
  const score = total === 0 ? "n/a" : `${((100 * detected) / total).toFixed(1)} %`;
  const withEquivalent = total - explained === 0 ? "n/a" : `${((100 * detected) / (total - explained)).toFixed(1)} %`;
  rows.push(
    `| ${folder} | ${score} | ${withEquivalent} | ${killedOnly} | ${detected} | ${timeouts} | ${undetected} | ${explained} | ${invalid} |`,
  );
}

writeFileSync(
  join(DIR, "summary.md"),
  [
    "# Mutation testing summary",
    "",
    "Written by `npm run test:mutation` (scripts/mutation.sh, scripts/mutation-summary.ts) from the incremental reports",
    "beside this file. Score = detected (killed or timed out) / (detected + survived + not covered); the second score",
    "leaves out survivors explained as equivalent in equivalent.json; the kills-only score counts a timeout as undetected.",
    "Survivors killed by hand (killed-by-hand.json: Stryker cannot see those kills) stay undetected in every score.",
    "Compile errors and ignored mutants are not counted.",
    "",
    "| folder | score | without equivalents | kills only | detected | of which timeouts | undetected | equivalent | invalid |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ...rows,
    "",
    "## Mutants no test detected",
    "",
    "| where (file:line:column:mutator) | status | replacement | why it survives |",
    "| --- | --- | --- | --- |",
    ...survivors,
    "",
    ...(existsSync(notesPath) ? [readFileSync(notesPath, "utf8").trimEnd(), ""] : []),
  ].join("\n"),
);
console.log(`wrote ${join(DIR, "summary.md")}: ${rows.length} folder(s), ${survivors.length} undetected mutant(s)`);
