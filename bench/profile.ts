// Reads the CPU profiles a benchmark run wrote (npm run bench -- --only=rpc --cpu-prof=DIR):
// one profile, its busiest functions; two, the functions whose time differs most, e.g. the real
// app against the framework alone (docs/performance.md, "Seventh round").
import { parseArgs } from "node:util";
import { largestDifferences, profileName, readFunctionTimes, topFunctions } from "./lib/cpu-profile.js";

const USAGE = `Usage: npm run bench:profile -- [--inclusive] [--top=N] A.cpuprofile [B.cpuprofile]

  one profile    its N busiest functions (default 30) by self time, or by inclusive time
  two profiles   the N functions whose time differs most between them (B − A)`;

function main(): number {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      inclusive: { type: "boolean", default: false },
      top: { type: "string", default: "30" },
      help: { type: "boolean", short: "h" },
    },
  });
  const top = Number(values.top);
  if (values.help || positionals.length < 1 || positionals.length > 2 || !Number.isInteger(top) || top <= 0) {
    process.stdout.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const which = values.inclusive ? "inclusive" : "self";
  const files = positionals as [string] | [string, string];
  const profiles = files.map(readFunctionTimes);
  const lines: string[] = files.map(
    (file, i) => `${profileName(file)}: busy ${(profiles[i]?.busyMs ?? 0).toFixed(0)} ms, idle ${(profiles[i]?.idleMs ?? 0).toFixed(0)} ms`,
  );
  if (profiles.length === 1) {
    lines.push(`busiest functions by ${which} time:`, ...topFunctions(profiles[0]!, which, top));
  } else {
    lines.push(
      `${which} ms: ${profileName(files[0])}, ${profileName(files[1] as string)}, difference`,
      ...largestDifferences(profiles[0]!, profiles[1]!, which, top),
    );
  }
  process.stdout.write(`${lines.join("\n")}\n`);
  return 0;
}

process.exitCode = main();
