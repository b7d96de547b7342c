import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

import { liveProcesses, spawnProcess, waitFor } from "../../support/process.js";
import { isAlive } from "./proc-state.js";

const ORPHAN_MAKER = fileURLToPath(new URL("./fixtures/orphan-maker.ts", import.meta.url));

describe("spawnProcess", () => {
  it("captures output, finds lines, and reports exit", async () => {
    const proc = await spawnProcess({
      name: "echoer",
      command: "sh",
      args: ["-c", "echo one; echo two >&2; echo ready; exec sleep 30"],
      env: { PATH: process.env.PATH },
    });
    expect(await proc.waitForOutput("ready")).toBe("ready");
    // stdout and stderr are separate pipes: 'two' may land after 'ready'.
    await proc.waitForOutput("two");
    expect(proc.logLines()).toEqual(expect.arrayContaining(["one", "two", "ready"]));
    expect(liveProcesses()).toContain(proc);
    const exit = await proc.stop();
    expect(exit.signal).toBe("SIGTERM");
    expect(proc.isRunning()).toBe(false);
    expect(liveProcesses()).not.toContain(proc);
  });

  it("keeps only the most recent lines", async () => {
    const proc = await spawnProcess({
      name: "chatty",
      command: "sh",
      args: ["-c", "i=0; while [ $i -lt 50 ]; do echo line$i; i=$((i+1)); done"],
      env: { PATH: process.env.PATH },
      logLines: 10,
    });
    await proc.exited;
    await waitFor(() => proc.logLines().at(-1) === "line49");
    expect(proc.logLines()).toHaveLength(10);
    expect(proc.logLines()[0]).toBe("line40");
  });

  it("does not inherit the parent environment unless asked", async () => {
    process.env.ANYCABLE_HARNESS_LEAK_CHECK = "leaked";
    try {
      const clean = await spawnProcess({ name: "env", command: "env", env: { PATH: process.env.PATH, ONLY: "this" } });
      await clean.exited;
      await waitFor(() => clean.logs().includes("ONLY=this"));
      expect(clean.logs()).not.toContain("ANYCABLE_HARNESS_LEAK_CHECK");
    } finally {
      delete process.env.ANYCABLE_HARNESS_LEAK_CHECK;
    }
  });

  it("escalates to SIGKILL when SIGTERM is ignored, and sweeps the process group", async () => {
    const proc = await spawnProcess({
      name: "stubborn",
      command: "sh",
      // The background sleeper inherits the ignored TERM: only SIGKILL of the group stops it.
      args: ["-c", 'trap "" TERM; sleep 300 & echo child $!; wait'],
      env: { PATH: process.env.PATH },
    });
    const line = await proc.waitForOutput(/^child \d+$/);
    const grandchild = Number(line.split(" ")[1]);
    expect(isAlive(grandchild)).toBe(true);

    const started = Date.now();
    const exit = await proc.stop({ timeoutMs: 500 });
    expect(exit.signal).toBe("SIGKILL");
    expect(Date.now() - started).toBeLessThan(5_000);
    await waitFor(() => !isAlive(grandchild), { timeoutMs: 5_000, description: `grandchild ${grandchild} to die` });
  });

  it("fails fast with logs when the command does not exist", async () => {
    await expect(spawnProcess({ name: "ghost", command: "/nonexistent/binary" })).rejects.toThrow(/ghost: could not start/);
  });

  it("waitForOutput rejects with recent output when the process exits first", async () => {
    const proc = await spawnProcess({ name: "quitter", command: "sh", args: ["-c", "echo bye; exit 3"], env: { PATH: process.env.PATH } });
    await expect(proc.waitForOutput("never")).rejects.toThrow(/quitter exited before printing never[\s\S]*exited with code 3[\s\S]*bye/);
  });
});

describe("process registry", () => {
  // Each mode ends the owning process differently; the sleeper it started must not survive.
  it.each(["exit", "throw", "sigterm", "sigkill"])("kills leftovers when the owner ends by %s", async (mode) => {
    const owner = spawn(process.execPath, ["--import", "tsx", ORPHAN_MAKER, mode], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env },
    });
    let out = "";
    owner.stdout.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
    owner.stderr.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
    await new Promise((resolve) => owner.once("exit", resolve));

    const match = /SLEEPER (\d+)/.exec(out);
    expect(match, `fixture output:\n${out}`).not.toBeNull();
    const sleeper = Number(match?.[1]);
    await waitFor(() => !isAlive(sleeper), {
      timeoutMs: 5_000,
      description: `sleeper ${sleeper} to be killed after its owner ended by ${mode}`,
    });
  });
});
