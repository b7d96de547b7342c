// V8 CPU profiles (`node --cpu-prof`, the benchmark's --cpu-prof) summed up per function, so two
// servers' profiles from one run can be compared line by line: where one spends more CPU than
// the other is where its extra cost per call is. DevTools shows one profile at a time.
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { z } from "zod";

const callFrame = z.object({ functionName: z.string(), url: z.string(), lineNumber: z.number() });

/** The parts of a `.cpuprofile` read here (the format is Chrome DevTools' Profiler.Profile). */
const cpuProfile = z.object({
  nodes: z.array(z.object({ id: z.number(), callFrame, children: z.array(z.number()).optional() })),
  samples: z.array(z.number()),
  timeDeltas: z.array(z.number()),
});

/** CPU time per function in ms, busy time only: V8's "(idle)" samples are the event loop waiting. */
export interface FunctionTimes {
  busyMs: number;
  idleMs: number;
  /** Time with the function on top of the stack. */
  self: Map<string, number>;
  /** Time with the function anywhere in the stack (counted once per sample, recursion or not). */
  inclusive: Map<string, number>;
}

/** `name file:line`, the file shortened to its folder and name: enough to find it, short enough to read. */
function functionKey(frame: z.infer<typeof callFrame>): string {
  const file = frame.url.split("/").slice(-2).join("/");
  return `${frame.functionName || "(anonymous)"} ${file}:${frame.lineNumber + 1}`;
}

export function functionTimes(profileJson: unknown): FunctionTimes {
  const profile = cpuProfile.parse(profileJson);
  const keyOf = new Map<number, string>();
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) {
    keyOf.set(node.id, functionKey(node.callFrame));
    for (const child of node.children ?? []) parentOf.set(child, node.id);
  }
  const times: FunctionTimes = { busyMs: 0, idleMs: 0, self: new Map(), inclusive: new Map() };
  const add = (map: Map<string, number>, key: string, ms: number): void => {
    map.set(key, (map.get(key) ?? 0) + ms);
  };
  profile.samples.forEach((nodeId, index) => {
    // A sample's delta is the time since the previous sample: the time this stack was running.
    const ms = (profile.timeDeltas[index] ?? 0) / 1000;
    const top = keyOf.get(nodeId);
    if (top === undefined) return;
    if (top.startsWith("(idle) ")) {
      times.idleMs += ms;
      return;
    }
    times.busyMs += ms;
    add(times.self, top, ms);
    const seen = new Set<string>();
    for (let id: number | undefined = nodeId; id !== undefined; id = parentOf.get(id)) {
      const key = keyOf.get(id) as string;
      if (!seen.has(key)) add(times.inclusive, key, ms);
      seen.add(key);
    }
  });
  return times;
}

export function readFunctionTimes(file: string): FunctionTimes {
  return functionTimes(JSON.parse(readFileSync(file, "utf8")));
}

/** The `limit` functions with the most time, as `ms  share  function` lines. */
export function topFunctions(times: FunctionTimes, which: "self" | "inclusive", limit: number): string[] {
  return [...times[which]]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([key, ms]) => `${ms.toFixed(1).padStart(9)} ms ${((100 * ms) / times.busyMs).toFixed(1).padStart(5)} %  ${key}`);
}

/** The `limit` functions whose time differs most between two profiles, as `a  b  b−a  function` lines. */
export function largestDifferences(a: FunctionTimes, b: FunctionTimes, which: "self" | "inclusive", limit: number): string[] {
  const keys = new Set([...a[which].keys(), ...b[which].keys()]);
  return [...keys]
    .map((key) => ({ key, a: a[which].get(key) ?? 0, b: b[which].get(key) ?? 0 }))
    .sort((x, y) => Math.abs(y.b - y.a) - Math.abs(x.b - x.a))
    .slice(0, limit)
    .map(
      ({ key, a: ms1, b: ms2 }) =>
        `${ms1.toFixed(1).padStart(9)} ${ms2.toFixed(1).padStart(9)} ${(ms2 - ms1).toFixed(1).padStart(9)}  ${key}`,
    );
}

export function profileName(file: string): string {
  return basename(file, ".cpuprofile");
}
