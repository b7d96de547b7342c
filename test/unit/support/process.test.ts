import { spawn } from "node:child_process";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

import { liveProcesses, spawnProcess, waitFor, waitWhileRunning, type ManagedProcess } from "../../support/process.js";
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
    expect(proc.logLines().at(-1)).toBe("line49");
    expect(proc.logLines()).toHaveLength(10);
    expect(proc.logLines()[0]).toBe("line40");
  });

  it("does not inherit the parent environment unless asked", async () => {
    process.env.ANYCABLE_HARNESS_LEAK_CHECK = "leaked";
    try {
      const clean = await spawnProcess({ name: "env", command: "env", env: { PATH: process.env.PATH, ONLY: "this" } });
      await clean.exited;
      expect(clean.logs()).toContain("ONLY=this");
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

  // Node reports a child's exit before its pipes are drained: on a loaded machine the last writes
  // of a process that exits right after them are read later. Holding the pipe makes that certain.
  describe("output still in the pipe when the process exits", () => {
    const LINES = 5_000; // ~24 KB: fits in the pipe, so the writer can exit while nobody reads
    const everyLine = [...Array.from({ length: LINES }, (_, i) => String(i + 1)), "done"];

    /** Stops `stream` delivering data until the returned function is called. */
    function holdBack(stream: Readable): () => void {
      // Node resumes a child's pipes when it exits, to drain them: that resume() must wait too.
      const resume = stream.resume.bind(stream);
      stream.resume = () => stream;
      stream.pause();
      return () => {
        stream.resume = resume;
        stream.resume();
      };
    }

    async function exitedWithOutputUnread(): Promise<ManagedProcess> {
      const proc = await spawnProcess({
        name: "burst",
        command: "sh",
        args: ["-c", `seq 1 ${LINES}; echo done`],
        env: { PATH: process.env.PATH },
        logLines: LINES + 10,
      });
      const release = holdBack(proc.child.stdout as Readable);
      await waitFor(() => !proc.isRunning(), { description: "burst to exit" });
      // Read on only after a while, so that a fixed grace period after the exit would run out first.
      setTimeout(release, 200);
      return proc;
    }

    it("exited resolves once the last line has been read", async () => {
      const proc = await exitedWithOutputUnread();
      expect(await proc.exited).toEqual({ code: 0, signal: null });
      expect(proc.logLines()).toEqual(everyLine);
    });

    it("waitWhileRunning fails with every line the process wrote, the last one included", async () => {
      const proc = await exitedWithOutputUnread();
      await expect(waitWhileRunning(proc, () => false)).rejects.toThrow(/burst stopped[\s\S]*\| done$/);
    });

    it("waitForOutput finds the line written just before the exit", async () => {
      const proc = await exitedWithOutputUnread();
      expect(await proc.waitForOutput("done")).toBe("done");
      expect(proc.logLines()).toEqual(everyLine);
    });
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
    // "close", not "exit": the pid line may still be in the pipe when the owner is reported gone.
    await new Promise((resolve) => owner.once("close", resolve));

    const match = /SLEEPER (\d+)/.exec(out);
    expect(match, `fixture output:\n${out}`).not.toBeNull();
    const sleeper = Number(match?.[1]);
    await waitFor(() => !isAlive(sleeper), {
      timeoutMs: 5_000,
      description: `sleeper ${sleeper} to be killed after its owner ended by ${mode}`,
    });
  });
});
