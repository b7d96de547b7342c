// Node children of the benchmark (servers under test, load clients) with an IPC channel, pinned to
// a CPU with taskset, logging to files rather than pipes: the runner must not pay for reading a
// server's logs while that server is being measured.
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { REPO_ROOT } from "../../test/support/binaries.js";

const live = new Set<ChildProcess>();
let hooked = false;

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  // A runner that dies or is interrupted must not leave servers holding ports and CPU.
  process.on("exit", () => {
    for (const child of live) killGroup(child, "SIGKILL");
  });
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      for (const child of live) killGroup(child, "SIGKILL");
      process.exit(130);
    });
  }
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

export interface NodeChildOptions {
  /** Label for errors and the log file name. */
  name: string;
  /** Script path relative to the repository root, run with tsx's loader unless `compiled`. */
  script: string;
  /** The script is compiled JavaScript: run by plain node, no tsx loader (as users run a build). */
  compiled?: boolean;
  /** Handed to the child as JSON in BENCH_CHILD_CONFIG. */
  config: unknown;
  /** CPU list for taskset -c; undefined leaves the scheduler free. */
  cpus?: string | undefined;
  nodeArgs?: readonly string[];
  logDir: string;
  env?: Record<string, string>;
  readyTimeoutMs?: number;
}

export type ChildMessage = { type: string } & Record<string, unknown>;

/** A node child speaking a tiny request/reply protocol over IPC: {type} in, {type} back. */
export class NodeChild {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  readonly ready: ChildMessage;
  readonly #child: ChildProcess;
  readonly #exited: Promise<void>;
  #exitInfo: string | undefined;

  private constructor(name: string, child: ChildProcess, logFile: string, ready: ChildMessage, exited: Promise<void>) {
    this.name = name;
    this.#child = child;
    this.pid = child.pid as number;
    this.logFile = logFile;
    this.ready = ready;
    this.#exited = exited;
    child.once("exit", (code, signal) => {
      this.#exitInfo = signal ? `killed by ${signal}` : `exited with ${code}`;
    });
  }

  static async start(options: NodeChildOptions): Promise<NodeChild> {
    hookExit();
    const logFile = join(options.logDir, `${options.name.replace(/[^A-Za-z0-9_.-]+/g, "_")}.log`);
    const fd = openSync(logFile, "a");
    const nodeArgv = [...(options.nodeArgs ?? []), ...(options.compiled ? [] : ["--import", "tsx"]), resolve(REPO_ROOT, options.script)];
    const [command, args] =
      options.cpus === undefined ? [process.execPath, nodeArgv] : ["taskset", ["-c", options.cpus, process.execPath, ...nodeArgv]];
    const child = spawn(command, args, {
      cwd: REPO_ROOT,
      // taskset execs node in place, so the IPC descriptor and the pid carry over to node itself.
      stdio: ["ignore", fd, fd, "ipc"],
      detached: true,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "",
        BENCH_CHILD_CONFIG: JSON.stringify(options.config),
        ...options.env,
      },
    });
    closeSync(fd);
    // spawn() returns once the child has exec'd, so a detached child is in its own session (and autogroup) by now.
    if (child.pid !== undefined) favourForBenchmark(child.pid);
    live.add(child);
    // "close", not "exit": it comes after the IPC channel has been read to its end, so a message
    // the child sent just before exiting (a "fatal" with the reason it could not start, a reply)
    // is handled before the child counts as gone.
    const exited = new Promise<void>((resolve) => child.once("close", () => resolve()));
    void exited.then(() => live.delete(child));
    const ready = await new Promise<ChildMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        killGroup(child, "SIGKILL");
        reject(new Error(`${options.name} did not report ready within ${options.readyTimeoutMs ?? 30_000} ms\n${tail(logFile)}`));
      }, options.readyTimeoutMs ?? 30_000);
      const onMessage = (message: ChildMessage): void => {
        if (message.type === "ready") {
          cleanup();
          resolve(message);
        } else if (message.type === "fatal") {
          cleanup();
          killGroup(child, "SIGKILL");
          reject(new Error(`${options.name} failed to start: ${String(message.message)}\n${tail(logFile)}`));
        }
      };
      const onExit = (code: number | null, signal: string | null): void => {
        cleanup();
        reject(new Error(`${options.name} exited (${signal ?? code}) before it was ready\n${tail(logFile)}`));
      };
      const onError = (error: Error): void => {
        cleanup();
        reject(new Error(`${options.name}: cannot start: ${error.message}`));
      };
      const cleanup = (): void => {
        clearTimeout(timer);
        child.off("message", onMessage);
        child.off("close", onExit);
        child.off("error", onError);
      };
      child.on("message", onMessage);
      child.once("close", onExit);
      child.once("error", onError);
    });
    return new NodeChild(options.name, child, logFile, ready, exited);
  }

  /** Sends `message` and resolves with the first reply of `replyType` (or rejects on "error"). */
  request<T extends ChildMessage = ChildMessage>(message: ChildMessage, replyType: string, timeoutMs: number): Promise<T> {
    if (this.#exitInfo !== undefined)
      return Promise.reject(new Error(`${this.name} is not running (${this.#exitInfo})\n${tail(this.logFile)}`));
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`${this.name} did not answer ${message.type} with ${replyType} within ${timeoutMs} ms\n${tail(this.logFile)}`));
      }, timeoutMs);
      const onMessage = (reply: ChildMessage): void => {
        if (reply.type === replyType) {
          cleanup();
          resolve(reply as T);
        } else if (reply.type === "error") {
          cleanup();
          reject(new Error(`${this.name}: ${String(reply.message)}`));
        }
      };
      const onExit = (): void => {
        cleanup();
        reject(new Error(`${this.name} exited while handling ${message.type}\n${tail(this.logFile)}`));
      };
      const cleanup = (): void => {
        clearTimeout(timer);
        this.#child.off("message", onMessage);
        this.#child.off("close", onExit);
      };
      this.#child.on("message", onMessage);
      this.#child.once("close", onExit);
      this.#child.send(message);
    });
  }

  get running(): boolean {
    return this.#exitInfo === undefined;
  }

  /** Asks the child to stop cleanly; SIGKILL after `timeoutMs`. */
  async stop(timeoutMs = 10_000): Promise<void> {
    if (this.#exitInfo === undefined) {
      try {
        this.#child.send({ type: "stop" });
      } catch {
        killGroup(this.#child, "SIGTERM");
      }
      const timer = setTimeout(() => killGroup(this.#child, "SIGKILL"), timeoutMs);
      await this.#exited;
      clearTimeout(timer);
    }
    killGroup(this.#child, "SIGKILL");
  }

  logs(): string {
    return tail(this.logFile);
  }
}

export function tail(file: string, lines = 40): string {
  try {
    const text = readFileSync(file, "utf8").trimEnd().split("\n");
    return text
      .slice(-lines)
      .map((l) => `  | ${l}`)
      .join("\n");
  } catch {
    return "  | (no log)";
  }
}

/** The autogroup nice of everything a benchmark runs: -20 weighs ~87x a nice-0 group, so five busy sessions on its CPU leave it ~95%. */
const BENCH_AUTOGROUP_NICE = -20;

/**
 * Puts `pid`'s scheduling group ahead of other sessions'. With sched_autogroup on (Linux's
 * default for desktops and this host), CFS first shares a CPU equally between sessions and only
 * then by nice within each: a `nice -n 19` mutation run in another engineer's session still
 * takes an equal share from a benchmark (measured here: bare grpc-js at ~3,000 calls/s instead
 * of 14,000-29,000, with every Stryker process niced). A benchmark's process is usually its own
 * session (detached children, for group kills), so each gets its group's nice set. Best effort:
 * without autogroups or the privilege to raise priority, nothing changes.
 */
export function favourForBenchmark(pid: number): void {
  try {
    writeFileSync(`/proc/${pid}/autogroup`, String(BENCH_AUTOGROUP_NICE));
  } catch {
    // No autogroup (kernel option off, not Linux) or not allowed: run at the ordinary share.
  }
}

/** Pins every thread of a running process (anycable-go, nats-server, redis-server) to `cpus`. */
export async function pin(pid: number, cpus: string | undefined): Promise<void> {
  favourForBenchmark(pid);
  if (cpus === undefined) return;
  await new Promise<void>((resolve, reject) => {
    const child = spawn("taskset", ["-a", "-c", "-p", cpus, String(pid)], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    // "close", so the error carries all of taskset's stderr (it can still be in the pipe at "exit").
    child.once("close", (code) =>
      code === 0 ? resolve() : reject(new Error(`taskset -a -c -p ${cpus} ${pid} failed (${code}): ${stderr.trim()}`)),
    );
  });
}
