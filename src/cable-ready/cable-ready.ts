/**
 * Per-stream operation queues sent together, the counterpart of the gem's
 * `cable_ready["calls"].append(…); cable_ready.broadcast`:
 *
 *   const cr = new CableReady(broadcaster);
 *   cr.stream("calls").append({ selector: "#calls", html: row });
 *   cr.stream(["call", sid]).append({ selector: "#events", html: event });
 *   await cr.broadcast(); // one broadcastMany: one publication per stream
 *
 * One batch keeps the streams' updates together in anycable-go (one broker message), and costs
 * one round trip however many streams a handler touched.
 */
import type { BroadcastMeta, Broadcaster, Publication } from "../broadcast/broadcaster.js";
import type { OperationName, OperationOptionsMap } from "./operation-catalogue.js";
import { OperationBuilder, type CustomOperationOptions } from "./operations.js";
import { streamNameFrom, type StreamKey } from "../streams/stream-key.js";

/**
 * A stream's queue, retired once its operations are sent: a queue kept in a variable across a
 * broadcast would otherwise swallow later operations without ever sending them. Using a retired
 * queue throws, pointing at `stream()` for a fresh one.
 */
class StreamQueue extends OperationBuilder {
  readonly #stream: string;
  #retired = false;

  constructor(stream: string) {
    super();
    this.#stream = stream;
  }

  retire(): void {
    this.#retired = true;
  }

  override operation<N extends OperationName>(name: N, options: OperationOptionsMap[N]): this;
  override operation(name: string, options?: CustomOperationOptions): this;
  override operation(name: string, options?: CustomOperationOptions): this {
    if (this.#retired) {
      throw new Error(`The queue for stream "${this.#stream}" was already broadcast or cleared; take a fresh one with cableReady.stream()`);
    }
    return super.operation(name, options);
  }
}

export class CableReady {
  readonly #broadcaster: Broadcaster;
  #streams = new Map<string, StreamQueue>();

  constructor(broadcaster: Broadcaster) {
    this.#broadcaster = broadcaster;
  }

  /** The queue for one stream: the same queue for the same name until the next broadcast. */
  stream(key: StreamKey): OperationBuilder {
    const name = streamNameFrom(key);
    let queue = this.#streams.get(name);
    if (!queue) {
      queue = new StreamQueue(name);
      this.#streams.set(name, queue);
    }
    return queue;
  }

  /** Names of the streams that have operations waiting. */
  get pendingStreams(): string[] {
    return [...this.#streams].filter(([, builder]) => builder.size > 0).map(([name]) => name);
  }

  /**
   * Sends every queued stream in one `broadcastMany` and starts afresh. The queues are taken
   * (and retired) before the await, so operations queued meanwhile wait for the next broadcast
   * rather than being lost or sent twice; if the broadcaster fails, the taken operations are
   * not re-queued (the error is the caller's to handle; retrying is the broadcaster's job).
   * Streams with no operations are skipped, and with none at all nothing is sent.
   */
  async broadcast(meta?: BroadcastMeta): Promise<void> {
    const streams = this.#take();
    const publications: Publication[] = [];
    for (const [stream, queue] of streams) {
      if (queue.size === 0) continue;
      const data = queue.serialize();
      publications.push(meta === undefined ? { stream, data } : { stream, data, meta });
    }
    if (publications.length === 0) return;
    await this.#broadcaster.broadcastMany(publications);
  }

  /** Drops everything queued without sending it. */
  clear(): void {
    this.#take();
  }

  #take(): Map<string, StreamQueue> {
    const streams = this.#streams;
    this.#streams = new Map();
    for (const queue of streams.values()) queue.retire();
    return streams;
  }
}
