import type { Broadcaster, BroadcastMeta, Publication, RemoteCommand } from "../broadcast/broadcaster.js";

/** A Broadcaster that records what the application asked to publish, for tests. */
export class RecordingBroadcaster implements Broadcaster {
  /** Each call's publications, in order: one per broadcast(), the batch of a broadcastMany(). */
  readonly publications: Publication[][] = [];
  readonly commands: RemoteCommand[] = [];
  closed = false;

  async broadcast(stream: string, data: string | object, meta?: BroadcastMeta): Promise<void> {
    this.publications.push([{ stream, data: typeof data === "string" ? data : JSON.stringify(data), ...(meta ? { meta } : {}) }]);
  }

  async broadcastMany(publications: readonly Publication[]): Promise<void> {
    this.publications.push([...publications]);
  }

  async broadcastCommand(command: RemoteCommand): Promise<void> {
    this.commands.push(command);
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  /** Every publication flattened, in order. */
  get all(): Publication[] {
    return this.publications.flat();
  }

  /** The messages published to `stream`, in order, JSON-decoded when they are JSON. */
  messagesTo(stream: string): unknown[] {
    return this.all.filter((publication) => publication.stream === stream).map((publication) => decode(publication.data));
  }

  /** Forgets everything recorded so far. */
  clear(): void {
    this.publications.length = 0;
    this.commands.length = 0;
  }
}

function decode(data: string): unknown {
  try {
    return JSON.parse(data) as unknown;
  } catch {
    return data;
  }
}
