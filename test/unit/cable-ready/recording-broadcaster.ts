import type { BroadcastMeta, Broadcaster, Publication, RemoteCommand } from "../../../src/broadcast/broadcaster.js";

/** An in-memory Broadcaster that records every call, for asserting what would reach anycable-go. */
export class RecordingBroadcaster implements Broadcaster {
  readonly single: { stream: string; data: string | object; meta: BroadcastMeta | undefined }[] = [];
  readonly batches: Publication[][] = [];
  readonly commands: RemoteCommand[] = [];
  /** When set, the next broadcastMany waits for this promise (to observe work done meanwhile). */
  gate: Promise<void> | undefined;
  failWith: Error | undefined;

  async broadcast(stream: string, data: string | object, meta?: BroadcastMeta): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.single.push({ stream, data, meta });
  }

  async broadcastMany(publications: readonly Publication[]): Promise<void> {
    this.batches.push([...publications]);
    if (this.gate) await this.gate;
    if (this.failWith) throw this.failWith;
  }

  async broadcastCommand(command: RemoteCommand): Promise<void> {
    this.commands.push(command);
  }

  async close(): Promise<void> {}
}
