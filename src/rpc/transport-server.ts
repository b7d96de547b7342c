import type { Logger } from "pino";
import type { RpcConfig } from "../config/rpc-config.js";

/** What either transport's server offers the process that runs it. */
export interface RpcTransportServer {
  /** Binds `config.host` (port 0 picks a free one) and starts serving; resolves with the bound port. */
  start(): Promise<number>;
  readonly port: number | undefined;
  readonly inFlight: number;
  /** Drains: refuses new calls, lets calls in flight finish within the shutdown timeout. Idempotent. */
  shutdown(): Promise<void>;
}

// Responses are written after the handler returns: a drain waits this long with nothing in flight
// before it closes, so the last replies reach anycable-go.
const IDLE_GRACE_MS = 200;
const POLL_MS = 20;

/**
 * The life of an RPC server, the same for gRPC and HTTP: the bound port, the calls in flight,
 * and the drain on shutdown (stop accepting, let calls in flight finish within
 * ANYCABLE_RPC_SHUTDOWN_TIMEOUT, then close whatever is left). A transport says how it listens,
 * how it stops accepting and how it closes, and counts its calls with callStarted/callEnded.
 */
export abstract class TransportServer implements RpcTransportServer {
  #inFlight = 0;
  #port: number | undefined;
  #shutdown: Promise<void> | undefined;

  protected constructor(
    protected readonly config: RpcConfig,
    protected readonly logger: Logger,
  ) {}

  /** Binds `host` and logs that it listens; resolves with the bound port. */
  protected abstract listen(host: string): Promise<number>;

  /**
   * Refuses new calls at once while the calls already running go on. `finish` may be called when
   * the transport knows that nothing is left; otherwise the drain ends on its own.
   */
  protected abstract stopAccepting(finish: () => void): void;

  /** Closes every connection still open, cutting whatever still runs on it. */
  protected abstract closeNow(): void;

  protected callStarted(): void {
    this.#inFlight++;
  }

  protected callEnded(): void {
    this.#inFlight--;
  }

  async start(): Promise<number> {
    const { host } = this.config;
    try {
      this.#port = await this.listen(host);
    } catch (error) {
      throw new Error(`Cannot listen on ${host}: ${error instanceof Error ? error.message : String(error)}`);
    }
    return this.#port;
  }

  get port(): number | undefined {
    return this.#port;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /** Drains and stops; calls still running after the shutdown timeout are cut. Idempotent. */
  shutdown(): Promise<void> {
    this.#shutdown ??= new Promise<void>((resolve) => {
      this.logger.info({ inFlight: this.#inFlight }, "draining RPC server");
      const deadline = Date.now() + this.config.shutdownTimeoutSeconds * 1000;
      let finished = false;
      const finish = (): void => {
        if (finished) return;
        finished = true;
        clearInterval(poll);
        this.closeNow();
        this.logger.info("RPC server stopped");
        resolve();
      };
      let idleSince: number | undefined;
      const poll = setInterval(() => {
        if (this.#inFlight === 0) {
          idleSince ??= Date.now();
          if (Date.now() - idleSince >= IDLE_GRACE_MS) return finish();
        } else {
          idleSince = undefined;
        }
        if (Date.now() >= deadline) {
          this.logger.warn({ inFlight: this.#inFlight }, "shutdown timeout reached, cutting the calls still running");
          finish();
        }
      }, POLL_MS);
      this.stopAccepting(finish);
    });
    return this.#shutdown;
  }
}
