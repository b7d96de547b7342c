import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitFor } from "./wait.js";

const alive = new Set<ChildProcess>();
let guardInstalled = false;

/** Whatever ends the test worker, no service it started outlives it. */
function installExitGuard(): void {
  if (guardInstalled) return;
  guardInstalled = true;
  process.on("exit", () => {
    for (const child of alive) child.kill("SIGKILL");
  });
}

export interface Service {
  readonly name: string;
  readonly port: number;
  readonly dir: string;
  /** Recent stdout + stderr, for failure messages. */
  output(): string;
  /** SIGTERM, then SIGKILL after 5 s; resolves once the process has exited. Idempotent. */
  stop(): Promise<void>;
  readonly exited: boolean;
}

export interface SpawnOptions {
  name: string;
  command: string;
  args: string[];
  port: number;
  /** Complete environment: nothing is inherited unless listed here. */
  env?: NodeJS.ProcessEnv;
  /** The service is usable once this holds (checked every 20 ms). */
  ready: (output: string) => boolean | Promise<boolean>;
  readyTimeoutMs?: number;
  /** Reuse a directory (e.g. a restart on the same data dir); otherwise a fresh temporary one. */
  dir?: string;
}

export async function spawnService(options: SpawnOptions): Promise<Service> {
  installExitGuard();
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), `${options.name}-`));
  const ownsDir = options.dir === undefined;
  const child = spawn(options.command, options.args, {
    cwd: dir,
    env: options.env ?? { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: dir },
    stdio: ["ignore", "pipe", "pipe"],
  });
  alive.add(child);
  let output = "";
  const append = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    child.once("exit", () => {
      exited = true;
      alive.delete(child);
      resolve();
    });
    child.once("error", (error) => {
      append(Buffer.from(`spawn error: ${error.message}\n`));
      exited = true;
      alive.delete(child);
      resolve();
    });
  });

  let stopping: Promise<void> | undefined;
  const service: Service = {
    name: options.name,
    port: options.port,
    dir,
    output: () => output,
    get exited() {
      return exited;
    },
    stop() {
      stopping ??= (async () => {
        if (!exited) {
          child.kill("SIGTERM");
          const killer = setTimeout(() => child.kill("SIGKILL"), 5_000);
          await exit;
          clearTimeout(killer);
        }
        if (ownsDir) rmSync(dir, { recursive: true, force: true });
      })();
      return stopping;
    },
  };

  try {
    await waitFor(`${options.name} to be ready on port ${options.port}`, async () => {
      if (exited) throw new Error(`${options.name} exited early:\n${output}`);
      return options.ready(output);
    }, options.readyTimeoutMs ?? 15_000, 20);
  } catch (error) {
    await service.stop();
    throw new Error(`${(error as Error).message}\n--- ${options.name} output ---\n${output}`);
  }
  return service;
}
