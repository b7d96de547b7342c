// The connection-storm load process: raw `ws` sockets speaking just enough Action Cable to get
// from upgrade to confirm_subscription. One long-lived process (pinned to the driver core) runs
// every storm of a benchmark, so no run pays for starting it. Commands arrive over IPC.
import { monitorEventLoopDelay } from "node:perf_hooks";
import WebSocket from "ws";
import { callSidFor, twilioHeaders } from "./requests.js";
import { percentile, sortNumbers } from "./stats.js";

export interface StormCommand {
  type: "storm";
  url: string;
  clients: number;
  /** Most sockets between "opening" and "confirmed" at once: a sliding wave, never a burst past the listen backlog. */
  window: number;
  timeoutMs: number;
  headers: Record<string, string>;
  /** Add the bridge's Connect headers for client i's call (its account header and credential). */
  twilio: boolean;
  /** The subscribe identifier of client i: a call channel per client, or one shared signed stream. */
  subscription: { kind: "call"; offset: number } | { kind: "fixed"; identifier: string };
}

export interface StormResult {
  type: "stormResult";
  clients: number;
  confirmed: number;
  failures: Record<string, number>;
  /** First socket opened to last subscription confirmed. */
  seconds: number;
  clientsPerSecond: number;
  /** Per client, socket opened to subscription confirmed. */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Socket opened to failure, shortest and longest (null without failures): which timeout fired. */
  failureAgeMs: { min: number; max: number } | null;
  /** Longest stall of this process's event loop during the storm: a late request is then ours, not the server's. */
  loopDelayMaxMs: number;
}

const sockets: WebSocket[] = [];

function callIdentifier(index: number): string {
  return JSON.stringify({ channel: "twilio", sid: callSidFor(index) });
}

function storm(command: StormCommand): Promise<StormResult> {
  return new Promise((resolve) => {
    const failures: Record<string, number> = {};
    const latencies: number[] = [];
    const failureAges: number[] = [];
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    let next = 0;
    let inFlight = 0;
    let settled = 0;
    let lastConfirm = 0;
    const started = performance.now();
    let finished = false;

    const finish = (): void => {
      if (finished) return;
      finished = true;
      clearTimeout(deadline);
      loopDelay.disable();
      const seconds = ((lastConfirm || performance.now()) - started) / 1000;
      const sorted = sortNumbers(latencies);
      resolve({
        type: "stormResult",
        clients: command.clients,
        confirmed: latencies.length,
        failures,
        seconds,
        clientsPerSecond: latencies.length / seconds,
        p50Ms: percentile(sorted, 50),
        p99Ms: percentile(sorted, 99),
        maxMs: sorted.length ? (sorted[sorted.length - 1] as number) : Number.NaN,
        failureAgeMs: failureAges.length ? { min: Math.min(...failureAges), max: Math.max(...failureAges) } : null,
        loopDelayMaxMs: loopDelay.max / 1e6,
      });
    };
    const deadline = setTimeout(() => {
      const pending = command.clients - settled;
      if (pending > 0) failures.timeout = (failures.timeout ?? 0) + pending;
      finish();
    }, command.timeoutMs);

    const open = (index: number): void => {
      inFlight++;
      const openedAt = performance.now();
      let done = false;
      const identifier =
        command.subscription.kind === "call" ? callIdentifier(command.subscription.offset + index) : command.subscription.identifier;
      const settle = (failure?: string): void => {
        if (done || finished) return;
        done = true;
        inFlight--;
        settled++;
        if (failure === undefined) {
          lastConfirm = performance.now();
          latencies.push(lastConfirm - openedAt);
        } else {
          failures[failure] = (failures[failure] ?? 0) + 1;
          failureAges.push(performance.now() - openedAt);
        }
        if (settled === command.clients) finish();
        else pump();
      };
      const ws = new WebSocket(command.url, "actioncable-v1-json", {
        headers:
          command.twilio && command.subscription.kind === "call"
            ? { ...command.headers, ...twilioHeaders(callSidFor(command.subscription.offset + index)) }
            : command.headers,
        perMessageDeflate: false,
        handshakeTimeout: command.timeoutMs,
      });
      sockets.push(ws);
      ws.on("message", (data: Buffer) => {
        if (done) return;
        // Substring tests, not JSON.parse: this process must stay cheaper than the server it loads.
        const text = data.toString();
        if (text.includes('"welcome"')) ws.send(JSON.stringify({ command: "subscribe", identifier }));
        else if (text.includes('"confirm_subscription"')) settle();
        else if (text.includes('"reject_subscription"')) settle("rejected");
        else if (text.includes('"disconnect"')) settle(`disconnect ${/"reason":"([^"]*)"/.exec(text)?.[1] ?? ""}`.trim());
      });
      // "socket hang up" (ECONNRESET) is the server closing before it answered the upgrade:
      // anycable-go does that to a connection whose request headers took over 5 s to arrive
      // (http.Server ReadHeaderTimeout); failureAgeMs and loopDelayMaxMs say whose delay it was.
      ws.on("error", (error: NodeJS.ErrnoException) =>
        settle(`error ${error.code ?? error.message}${error.message === "socket hang up" ? " (socket hang up)" : ""}`),
      );
      ws.on("close", (code) => settle(`closed ${code}`));
    };
    const pump = (): void => {
      while (!finished && inFlight < command.window && next < command.clients) open(next++);
    };
    pump();
  });
}

async function closeAll(timeoutMs: number): Promise<{ closed: number; terminated: number }> {
  const open = sockets.splice(0);
  let terminated = 0;
  await Promise.all(
    open.map(
      (ws) =>
        new Promise<void>((resolve) => {
          if (ws.readyState === WebSocket.CLOSED) return resolve();
          const timer = setTimeout(() => {
            terminated++;
            ws.terminate();
            resolve();
          }, timeoutMs);
          ws.once("close", () => {
            clearTimeout(timer);
            resolve();
          });
          if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
          else ws.close(1000);
        }),
    ),
  );
  return { closed: open.length - terminated, terminated };
}

process.on("message", (message: { type?: string; timeoutMs?: number } & Partial<StormCommand>) => {
  const reply = (value: Record<string, unknown>): void => {
    process.send?.(value);
  };
  if (message.type === "storm") {
    storm(message as StormCommand).then(
      (result) => reply({ ...result }),
      (error: unknown) => reply({ type: "error", message: String(error) }),
    );
  } else if (message.type === "close") {
    closeAll(message.timeoutMs ?? 10_000).then(
      (result) => reply({ type: "closed", ...result }),
      (error: unknown) => reply({ type: "error", message: String(error) }),
    );
  } else if (message.type === "stop") {
    void closeAll(2_000).finally(() => process.exit(0));
  }
});
process.on("disconnect", () => process.exit(0));
process.send?.({ type: "ready" });
