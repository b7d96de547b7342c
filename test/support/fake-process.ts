import { EventEmitter } from "node:events";
import type { ProcessHost } from "../../src/process/process-host.js";

/**
 * A process for in-process tests of commands (runProcess, the CLI): signals are events the test
 * emits, output lands in strings, and exit() records its call instead of ending the test worker.
 */
export class FakeProcess extends EventEmitter implements ProcessHost {
  readonly env: NodeJS.ProcessEnv;
  exitCode: number | string | undefined;
  out = "";
  err = "";
  /** Every exit() call, in order. */
  readonly exits: (number | undefined)[] = [];
  readonly stdout = { write: (text: string): boolean => ((this.out += text), true) };
  readonly stderr = { write: (text: string): boolean => ((this.err += text), true) };
  readonly #exited: Promise<void>;
  #markExited!: () => void;

  constructor(env: NodeJS.ProcessEnv = {}) {
    super();
    this.env = env;
    this.#exited = new Promise((resolve) => (this.#markExited = resolve));
  }

  exit(code?: number): void {
    this.exits.push(code);
    this.#markExited();
  }

  /** Resolves at the first exit() call. */
  exited(): Promise<void> {
    return this.#exited;
  }

  /** Delivers a signal as Node does: to every listener, with the signal's name. */
  signal(name: "SIGINT" | "SIGTERM"): void {
    this.emit(name, name);
  }
}
