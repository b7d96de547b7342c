import { describe, expect, it } from "vitest";
import { functionTimes, largestDifferences, topFunctions } from "../../../bench/lib/cpu-profile.js";

const frame = (functionName: string, url = "", lineNumber = -1) => ({ functionName, url, lineNumber, scriptId: "0", columnNumber: 0 });

/**
 * (root) → answer (grpc/server.js:12) → encode (broadcast/payload.js:27), and (root) → (idle).
 * Samples: encode 3 ms, answer 2 ms, idle 5 ms.
 */
const profile = {
  nodes: [
    { id: 1, callFrame: frame("(root)"), children: [2, 4] },
    { id: 2, callFrame: frame("answer", "file:///srv/dist/grpc/server.js", 11), children: [3] },
    { id: 3, callFrame: frame("encode", "file:///srv/dist/broadcast/payload.js", 26) },
    { id: 4, callFrame: frame("(idle)") },
  ],
  startTime: 0,
  endTime: 10_000,
  samples: [3, 3, 2, 4, 3, 2, 4, 4, 4, 4],
  timeDeltas: [1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000],
};

describe("functionTimes", () => {
  const times = functionTimes(profile);

  it("separates the event loop's idle time from busy time", () => {
    expect(times.busyMs).toBe(5);
    expect(times.idleMs).toBe(5);
  });

  it("charges self time to the function on top of the stack, named by function, folder/file and 1-based line", () => {
    expect(Object.fromEntries(times.self)).toEqual({ "encode broadcast/payload.js:27": 3, "answer grpc/server.js:12": 2 });
  });

  it("charges inclusive time to every function in the stack", () => {
    expect(times.inclusive.get("answer grpc/server.js:12")).toBe(5);
    expect(times.inclusive.get("(root) :0")).toBe(5);
  });

  it("counts a recursive function once per sample", () => {
    const recursive = {
      nodes: [
        { id: 1, callFrame: frame("walk", "file:///a/b.js", 0), children: [2] },
        { id: 2, callFrame: frame("walk", "file:///a/b.js", 0) },
      ],
      samples: [2],
      timeDeltas: [4000],
    };
    expect(functionTimes(recursive).inclusive.get("walk a/b.js:1")).toBe(4);
  });

  it("refuses a file that is not a CPU profile", () => {
    expect(() => functionTimes({ traceEvents: [] })).toThrow();
  });
});

describe("reports", () => {
  it("lists the busiest functions first, with their share of busy time", () => {
    const [first, second] = topFunctions(functionTimes(profile), "self", 2);
    expect(first).toMatch(/3\.0 ms +60\.0 % +encode broadcast\/payload\.js:27$/);
    expect(second).toMatch(/2\.0 ms +40\.0 % +answer grpc\/server\.js:12$/);
  });

  it("lists the functions whose time differs most between two profiles, either way", () => {
    const slower = functionTimes({ ...profile, samples: [3, 3, 3, 3, 2, 2, 2, 4, 4, 4] });
    expect(largestDifferences(functionTimes(profile), slower, "self", 2)).toEqual([
      "      3.0       4.0       1.0  encode broadcast/payload.js:27",
      "      2.0       3.0       1.0  answer grpc/server.js:12",
    ]);
    const faster = functionTimes({ ...profile, samples: [3, 4, 2, 4, 2, 2, 4, 4, 4, 4] });
    expect(largestDifferences(functionTimes(profile), faster, "self", 1)).toEqual([
      "      3.0       1.0      -2.0  encode broadcast/payload.js:27",
    ]);
  });
});
