/**
 * The parts of Node's `process` a long-running command touches: its signals, its unhandled
 * rejections, its environment, its output and its exit. `process` itself is one; a test passes an
 * EventEmitter of its own, so signal handling and exit codes run in-process where they can be
 * driven and observed.
 */
export interface ProcessHost {
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  exitCode?: number | string | undefined;
  on(event: "SIGINT" | "SIGTERM", listener: (signal: NodeJS.Signals) => void): unknown;
  on(event: "unhandledRejection", listener: (reason: unknown) => void): unknown;
  off(event: "SIGINT" | "SIGTERM", listener: (signal: NodeJS.Signals) => void): unknown;
  off(event: "unhandledRejection", listener: (reason: unknown) => void): unknown;
  exit(code?: number): void;
}
