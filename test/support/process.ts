import { spawn, type ChildProcess } from "node:child_process";

import { waitFor, withTimeout, WaitTimeoutError } from "./wait.js";

export { waitFor, withTimeout, WaitTimeoutError } from "./wait.js";
export type { WaitForOptions } from "./wait.js";

/**
 * The environment of a Node process a test starts (the RPC CLI, the dashboard, npm start): only
 * PATH and HOME from this one (see SpawnOptions.env), JSON log lines a test can parse, then `env`.
 */
export function nodeChildEnv(env: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return { PATH: process.env.PATH, HOME: process.env.HOME, ANYCABLE_LOG_FORMAT: "json", ...env };
}

export interface SpawnOptions {
  /** Short label used in error messages, e.g. "anycable-go". */
  name: string;
  command: string;
  args?: readonly string[];
  /**
   * The child's complete environment. Nothing is inherited unless `inheritEnv`
   * is set: servers under test must not pick up ANYCABLE_*, REDIS_URL, PORT...
   * from whoever runs the tests.
   */
  env?: Record<string, string | undefined>;
  /** Start from process.env and overlay `env`. Default false. */
  inheritEnv?: boolean;
  cwd?: string;
  /** How many recent output lines to keep for error messages. Default 400. */
  logLines?: number;
  /** Mirror output to this process's stderr as it arrives (debugging aid). Default: $TEST_ECHO_PROCESS_OUTPUT=1. */
  echo?: boolean;
  /** Called for every complete output line. */
  onLine?: (line: string, stream: "stdout" | "stderr") => void;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface StopOptions {
  /** First signal. Default SIGTERM. */
  signal?: NodeJS.Signals;
  /** Time allowed after the first signal before SIGKILL. Default 5 s. */
  timeoutMs?: number;
}

export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /**
   * Resolves once the process has exited and all of its output has been read (never rejects):
   * logs() is complete by then. Node reports a child's exit before the pipes are drained, so
   * output written just before exiting can arrive after the exit itself.
   */
  readonly exited: Promise<ExitInfo>;
  /** Undefined while running (set at exit, possibly before the last output has been read). */
  exitInfo(): ExitInfo | undefined;
  isRunning(): boolean;
  /** Recent output (stdout and stderr interleaved in arrival order). */
  logs(): string;
  logLines(): string[];
  /**
   * Resolves with the first line (already seen or future) matching `pattern`; rejects once the
   * process has exited and its output has all been read without such a line.
   */
  waitForOutput(pattern: RegExp | string, timeoutMs?: number): Promise<string>;
  /** Throws, with recent logs, if the process is no longer running. */
  assertRunning(): void;
  /** Sends a signal to the whole process group. */
  signal(signal: NodeJS.Signals): void;
  /** SIGTERM (or `signal`), then SIGKILL after `timeoutMs`; also sweeps the process group. */
  stop(options?: StopOptions): Promise<ExitInfo>;
  /** A one-line description plus recent logs, for error messages. */
  describe(): string;
}

// ---------------------------------------------------------------------------
// Registry of live children.
//
// Every child runs in its own process group (detached), so stop() also reaches
// grandchildren (tsx -> node, shell wrappers). Two safety nets make sure no
// group outlives this process:
//  - an 'exit' handler SIGKILLs every registered group (runs on normal exit
//    and process.exit(), synchronously);
//  - a tiny reaper process, connected over IPC, SIGKILLs them when the IPC
//    channel drops, i.e. when this process dies in a way that skips 'exit'
//    handlers (SIGKILL, a fatal signal, a vitest worker being torn down).
// ---------------------------------------------------------------------------

const live = new Set<ManagedProcessImpl>();
let reaper: ChildProcess | undefined;
let exitHookInstalled = false;

const REAPER_SOURCE = `
const groups = new Set()
process.on('message', (m) => {
  if (m && typeof m.add === 'number') groups.add(m.add)
  if (m && typeof m.remove === 'number') groups.delete(m.remove)
})
process.on('disconnect', () => {
  for (const pid of groups) {
    try { process.kill(-pid, 'SIGKILL') } catch {}
    try { process.kill(pid, 'SIGKILL') } catch {}
  }
  process.exit(0)
})
`;

function tellReaper(message: { add: number } | { remove: number }): void {
  if (!reaper || !reaper.connected) {
    reaper = spawn(process.execPath, ["-e", REAPER_SOURCE], {
      stdio: ["ignore", "ignore", "ignore", "ipc"],
      detached: true,
      env: { PATH: process.env.PATH ?? "" },
    });
    // Neither the reaper nor its channel may keep this process alive.
    reaper.unref();
    reaper.channel?.unref();
    reaper.on("error", () => {});
    for (const proc of live) reaper.send({ add: proc.pid }, () => {});
  }
  reaper.send(message, () => {});
  reaper.channel?.unref();
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    // Stop the reaper first, so it cannot act on pids reused after this.
    try {
      reaper?.kill("SIGKILL");
    } catch {
      // already gone
    }
    killAllProcesses();
  });
}

function killGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    try {
      process.kill(pid, signal);
      return true;
    } catch {
      return false;
    }
  }
}

/** SIGKILLs every child started through spawnProcess() that is still registered. Synchronous. */
export function killAllProcesses(): void {
  for (const proc of live) {
    killGroup(proc.pid, "SIGKILL");
    live.delete(proc);
  }
}

/** Children started through spawnProcess() that have not been stopped yet. */
export function liveProcesses(): ManagedProcess[] {
  return [...live];
}

// ---------------------------------------------------------------------------

class LineRing {
  private readonly lines: string[] = [];
  constructor(private readonly capacity: number) {}
  push(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.capacity) this.lines.splice(0, this.lines.length - this.capacity);
  }
  all(): string[] {
    return [...this.lines];
  }
}

function formatExit(info: ExitInfo): string {
  return info.signal ? `killed by ${info.signal}` : `exited with code ${info.code}`;
}

class ManagedProcessImpl implements ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  readonly exited: Promise<ExitInfo>;
  /** The leader process itself is gone; its output may still be in the pipes. */
  readonly leaderExited: Promise<ExitInfo>;
  private exit: ExitInfo | undefined;
  private readonly ring: LineRing;
  private readonly lineListeners = new Set<(line: string) => void>();
  private readonly commandLine: string;

  constructor(child: ChildProcess, options: SpawnOptions) {
    if (child.pid === undefined) throw new Error(`${options.name}: spawn returned no pid`);
    this.child = child;
    this.pid = child.pid;
    this.name = options.name;
    this.ring = new LineRing(options.logLines ?? 400);
    this.commandLine = [options.command, ...(options.args ?? [])].join(" ");

    const echo = options.echo ?? process.env.TEST_ECHO_PROCESS_OUTPUT === "1";
    const attach = (stream: NodeJS.ReadableStream | null, kind: "stdout" | "stderr"): void => {
      if (!stream) return;
      let partial = "";
      stream.setEncoding("utf8");
      const emit = (line: string): void => {
        this.ring.push(line);
        if (echo) process.stderr.write(`[${this.name}] ${line}\n`);
        options.onLine?.(line, kind);
        for (const listener of this.lineListeners) listener(line);
      };
      stream.on("data", (chunk: string) => {
        const pieces = (partial + chunk).split(/\r?\n/);
        partial = pieces.pop() ?? "";
        for (const line of pieces) emit(line);
      });
      stream.on("end", () => {
        if (partial) emit(partial);
        partial = "";
      });
    };
    attach(child.stdout, "stdout");
    attach(child.stderr, "stderr");

    this.leaderExited = new Promise<ExitInfo>((resolve) => {
      child.once("exit", (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
    });
    // "close" comes after "exit" and after every stdio stream has ended, so the last lines are in.
    this.exited = new Promise<ExitInfo>((resolve) => {
      child.once("close", (code, signal) => resolve(this.exit ?? { code, signal }));
    });
  }

  exitInfo(): ExitInfo | undefined {
    return this.exit;
  }

  isRunning(): boolean {
    return this.exit === undefined;
  }

  logLines(): string[] {
    return this.ring.all();
  }

  logs(): string {
    return this.ring.all().join("\n");
  }

  describe(): string {
    const state = this.exit ? formatExit(this.exit) : "running";
    const lines = this.ring.all();
    const body = lines.length ? lines.map((l) => `  | ${l}`).join("\n") : "  | (no output)";
    return `${this.name} (pid ${this.pid}, ${state}): ${this.commandLine}\nrecent output:\n${body}`;
  }

  assertRunning(): void {
    if (this.exit) throw new Error(`${this.name} is not running\n${this.describe()}`);
  }

  waitForOutput(pattern: RegExp | string, timeoutMs = 10_000): Promise<string> {
    const matches = (line: string): boolean => (typeof pattern === "string" ? line.includes(pattern) : pattern.test(line));
    const seen = this.ring.all().find(matches);
    if (seen !== undefined) return Promise.resolve(seen);

    return new Promise<string>((resolve, reject) => {
      const cleanup = (): void => {
        clearTimeout(timer);
        this.lineListeners.delete(listener);
      };
      const listener = (line: string): void => {
        if (matches(line)) {
          cleanup();
          resolve(line);
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(
          new WaitTimeoutError(`timed out after ${timeoutMs} ms waiting for ${this.name} to print ${String(pattern)}\n${this.describe()}`),
        );
      }, timeoutMs);
      this.lineListeners.add(listener);
      void this.exited.then(() => {
        if (!this.lineListeners.has(listener)) return;
        cleanup();
        reject(new Error(`${this.name} exited before printing ${String(pattern)}\n${this.describe()}`));
      });
    });
  }

  signal(signal: NodeJS.Signals): void {
    if (this.exit) return;
    killGroup(this.pid, signal);
  }

  async stop(options: StopOptions = {}): Promise<ExitInfo> {
    const { signal = "SIGTERM", timeoutMs = 5_000 } = options;
    if (!this.exit) {
      killGroup(this.pid, signal);
      try {
        await withTimeout(this.leaderExited, timeoutMs, `${this.name} to exit after ${signal}`);
      } catch {
        killGroup(this.pid, "SIGKILL");
        await this.leaderExited;
      }
    }
    // The leader is gone; anything it left in its group goes too.
    killGroup(this.pid, "SIGKILL");
    this.unregister();
    await this.outputRead(timeoutMs);
    return this.exit as ExitInfo;
  }

  /**
   * Waits for the pipes to be drained. Only a process that left the group (a daemon) can still
   * hold them open now; after `timeoutMs` this end is closed instead, so stop() always returns.
   */
  private async outputRead(timeoutMs: number): Promise<void> {
    try {
      await withTimeout(this.exited, timeoutMs, `${this.name}'s output to end`);
    } catch {
      this.child.stdout?.destroy();
      this.child.stderr?.destroy();
      await this.exited;
    }
  }

  unregister(): void {
    if (!live.delete(this)) return;
    tellReaper({ remove: this.pid });
  }
}

/**
 * Starts a child process with captured output, registered so that it is killed
 * when this process exits. Resolves once the process has been spawned; rejects
 * if it could not be (e.g. ENOENT).
 */
export async function spawnProcess(options: SpawnOptions): Promise<ManagedProcess> {
  installExitHook();
  const env: Record<string, string> = {};
  const source = options.inheritEnv ? { ...process.env, ...options.env } : (options.env ?? {});
  for (const [key, value] of Object.entries(source)) {
    if (value !== undefined) env[key] = value;
  }

  const child = spawn(options.command, [...(options.args ?? [])], {
    cwd: options.cwd,
    env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });

  await new Promise<void>((resolve, reject) => {
    child.once("spawn", resolve);
    child.once("error", (error) => reject(new Error(`${options.name}: could not start ${options.command}: ${error.message}`)));
  });

  const managed = new ManagedProcessImpl(child, options);
  live.add(managed);
  tellReaper({ add: managed.pid });
  // A child that dies on its own leaves the registry, but its group may not be empty. On the
  // leader's exit, not "close": a grandchild left in the group can hold the pipes open.
  void managed.leaderExited.then(() => {
    if (live.has(managed)) {
      killGroup(managed.pid, "SIGKILL");
      managed.unregister();
    }
  });
  return managed;
}

/**
 * Waits for `check` while making sure `proc` stays up: if it exits, the wait
 * fails as soon as its output has been read, with that output, instead of
 * running into the timeout.
 */
export function waitWhileRunning<T>(
  proc: ManagedProcess,
  check: () => T | Promise<T>,
  options: { timeoutMs?: number; intervalMs?: number; description?: string } = {},
): Promise<NonNullable<T>> {
  // At "exit" its last lines, often the reason it stopped, can still be in the pipes: the failure
  // waits for them (`exited`) so its message carries them.
  let ended = false;
  void proc.exited.then(() => (ended = true));
  return waitFor(check, {
    ...options,
    failIf: () => (ended ? `${proc.name} stopped\n${proc.describe()}` : undefined),
    details: () => proc.describe(),
  });
}

export interface Readiness {
  /** Polled while the process runs; it is ready once this returns something truthy. */
  check: () => unknown;
  timeoutMs: number;
  /** What is awaited, for the timeout message, e.g. "redis-server on port 6390 to answer PING". */
  description: string;
}

/**
 * spawnProcess(), then waitWhileRunning() for `readiness`. A process that
 * never gets ready is SIGKILLed before the wait's error (with its recent
 * output) is thrown, so a failed start leaves nothing running.
 */
export async function spawnUntilReady(options: SpawnOptions, readiness: Readiness): Promise<ManagedProcess> {
  const proc = await spawnProcess(options);
  try {
    await waitWhileRunning(proc, readiness.check, { timeoutMs: readiness.timeoutMs, description: readiness.description });
  } catch (error) {
    await proc.stop({ signal: "SIGKILL" });
    throw error;
  }
  return proc;
}
