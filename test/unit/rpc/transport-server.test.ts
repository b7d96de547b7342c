// The life both RPC servers share (TransportServer): the bound port, the calls in flight and the
// drain on shutdown, driven through a transport that only records what it was told to do.
import { afterEach, describe, expect, it, vi } from "vitest";
import { loadRpcConfig, type RpcConfig } from "../../../src/config/rpc-config.js";
import { TransportServer } from "../../../src/rpc/transport-server.js";
import { captureLogger } from "../../support/index.js";

class RecordingTransport extends TransportServer {
  readonly steps: string[] = [];
  finishEarly = false;
  /** The `finish` the drain handed stopAccepting, for a transport that calls it late. */
  finish: (() => void) | undefined;

  constructor(
    config: Partial<RpcConfig>,
    logger = captureLogger().logger,
    private readonly bind: (host: string) => Promise<number> = async () => 4242,
  ) {
    super({ ...loadRpcConfig({}), ...config }, logger);
  }

  begin(): void {
    this.callStarted();
  }

  end(): void {
    this.callEnded();
  }

  protected listen(host: string): Promise<number> {
    this.steps.push(`listen ${host}`);
    return this.bind(host);
  }

  protected stopAccepting(finish: () => void): void {
    this.steps.push("stop accepting");
    this.finish = finish;
    if (this.finishEarly) finish();
  }

  protected closeNow(): void {
    this.steps.push("close");
  }
}

describe("TransportServer", () => {
  it("starts on the configured host and reports the bound port", async () => {
    const server = new RecordingTransport({ host: "127.0.0.1:0" });
    expect(server.port).toBeUndefined();
    expect(await server.start()).toBe(4242);
    expect(server.port).toBe(4242);
    expect(server.steps).toEqual(["listen 127.0.0.1:0"]);
  });

  it("names the address it could not listen on", async () => {
    const server = new RecordingTransport({ host: "127.0.0.1:1" }, undefined, () => Promise.reject(new Error("EACCES")));
    await expect(server.start()).rejects.toThrow("Cannot listen on 127.0.0.1:1: EACCES");
    expect(server.port).toBeUndefined();
  });

  it("names what it could not listen on when the failure is not an Error", async () => {
    const server = new RecordingTransport({ host: "127.0.0.1:2" }, undefined, () => Promise.reject("port taken"));
    await expect(server.start()).rejects.toThrow("Cannot listen on 127.0.0.1:2: port taken");
  });

  it("stops accepting at once, then closes once the calls in flight have finished", async () => {
    const logs = captureLogger();
    const server = new RecordingTransport({ shutdownTimeoutSeconds: 5 }, logs.logger);
    server.begin();
    server.begin();
    expect(server.inFlight).toBe(2);
    const stopped = server.shutdown();
    expect(server.steps).toEqual(["stop accepting"]);
    server.end();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(server.steps).toEqual(["stop accepting"]);
    server.end();
    await stopped;
    expect(server.steps).toEqual(["stop accepting", "close"]);
    expect(logs.lines.map((line) => line.msg)).toEqual(["draining RPC server", "RPC server stopped"]);
    expect(logs.lines[0]).toMatchObject({ inFlight: 2 });
  });

  it("cuts the calls still running once the shutdown timeout has passed, and says so", async () => {
    const logs = captureLogger();
    const server = new RecordingTransport({ shutdownTimeoutSeconds: 1 }, logs.logger);
    server.begin();
    await server.shutdown();
    expect(server.steps).toEqual(["stop accepting", "close"]);
    expect(server.inFlight).toBe(1);
    expect(logs.at("warn")).toEqual([
      expect.objectContaining({ inFlight: 1, msg: "shutdown timeout reached, cutting the calls still running" }),
    ]);
  });

  it("ends the drain as soon as the transport says nothing is left, and closes once however often it is asked", async () => {
    const server = new RecordingTransport({ shutdownTimeoutSeconds: 5 });
    server.finishEarly = true;
    const first = server.shutdown();
    expect(server.shutdown()).toBe(first);
    await first;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(server.steps).toEqual(["stop accepting", "close"]);
  });

  it("closes once even when the transport reports the end after the drain has already finished", async () => {
    const logs = captureLogger();
    const server = new RecordingTransport({ shutdownTimeoutSeconds: 5 }, logs.logger);
    await server.shutdown();
    server.finish?.();
    server.finish?.();
    expect(server.steps).toEqual(["stop accepting", "close"]);
    expect(logs.lines.filter((line) => line.msg === "RPC server stopped")).toHaveLength(1);
  });
});

describe("TransportServer's grace period once idle", () => {
  // Replies are written after the handler returns: the drain waits a grace period with nothing in
  // flight before it closes. Fake timers (Date included) make the 200 ms exact.
  afterEach(() => {
    vi.useRealTimers();
  });

  it("closes only once nothing has been in flight for 200 ms", async () => {
    vi.useFakeTimers();
    const server = new RecordingTransport({ shutdownTimeoutSeconds: 5 });
    server.begin();
    const stopped = server.shutdown();
    await vi.advanceTimersByTimeAsync(1000);
    server.end();
    await vi.advanceTimersByTimeAsync(160);
    expect(server.steps).toEqual(["stop accepting"]);
    await vi.advanceTimersByTimeAsync(100);
    expect(server.steps).toEqual(["stop accepting", "close"]);
    await stopped;
  });

  it("starts the grace period afresh when a call arrives during it", async () => {
    vi.useFakeTimers();
    const logs = captureLogger();
    const server = new RecordingTransport({ shutdownTimeoutSeconds: 5 }, logs.logger);
    const stopped = server.shutdown();
    await vi.advanceTimersByTimeAsync(100);
    server.begin();
    await vi.advanceTimersByTimeAsync(500);
    expect(server.steps).toEqual(["stop accepting"]);
    server.end();
    await vi.advanceTimersByTimeAsync(160);
    expect(server.steps).toEqual(["stop accepting"]);
    await vi.advanceTimersByTimeAsync(100);
    expect(server.steps).toEqual(["stop accepting", "close"]);
    await stopped;
    expect(logs.at("warn")).toEqual([]);
  });

  it("closes at the first poll once 200 ms have passed with nothing in flight, not one later", async () => {
    vi.useFakeTimers();
    const server = new RecordingTransport({ shutdownTimeoutSeconds: 5 });
    server.begin();
    const stopped = server.shutdown();
    await vi.advanceTimersByTimeAsync(1000);
    server.end();
    // The drain polls every 20 ms: the next poll finds nothing in flight, the one 200 ms after it closes.
    await vi.advanceTimersByTimeAsync(200);
    expect(server.steps).toEqual(["stop accepting"]);
    await vi.advanceTimersByTimeAsync(20);
    expect(server.steps).toEqual(["stop accepting", "close"]);
    await stopped;
  });

  it("cuts the calls still running at the poll that reaches the shutdown timeout, not one later", async () => {
    vi.useFakeTimers();
    const logs = captureLogger();
    const server = new RecordingTransport({ shutdownTimeoutSeconds: 1 }, logs.logger);
    server.begin();
    const stopped = server.shutdown();
    await vi.advanceTimersByTimeAsync(980);
    expect(server.steps).toEqual(["stop accepting"]);
    await vi.advanceTimersByTimeAsync(20);
    expect(server.steps).toEqual(["stop accepting", "close"]);
    expect(logs.at("warn")).toHaveLength(1);
    await stopped;
  });
});
