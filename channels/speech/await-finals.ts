// Ending a recognition stream is the same wait for every recognizer: the last results arrive
// when the recognizer says it is done, or the bridge gives up after a bounded time so a hung
// recognizer cannot hold a call's Disconnect back.

export interface AwaitFinalsOptions {
  timeoutMs: number;
  /** Called once when the recognizer did not finish in time (before `onFinish`). */
  onTimeout: () => void;
  /** Called exactly once, whichever way the wait ends. */
  onFinish: () => void;
  /** Starts the ending (close the input, flush); the recognizer calls `finish` when its last result is out. */
  start: (finish: () => void) => void;
}

export function awaitFinals({ timeoutMs, onTimeout, onFinish, start }: AwaitFinalsOptions): Promise<void> {
  return new Promise<void>((resolve) => {
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      onFinish();
      resolve();
    };
    const timer = setTimeout(() => {
      onTimeout();
      finish();
    }, timeoutMs);
    timer.unref();
    start(finish);
  });
}
