import { CableReady, type Broadcaster } from "anycable-ts";

/** A batch grows no larger than this many calls' updates: one broker message stays far below NATS's 1 MB. */
const MAX_UPDATES_PER_BATCH = 256;

/**
 * The dashboard updates of every call handled in the same turn of the event loop, sent as one
 * broadcast. anycable-go hands a server several calls at once (28 in flight by default), and one
 * publication per call made the broker round trip, the batch encoding and the NATS frame the
 * largest part of a call's cost; together, the `calls` list's operations of all those calls
 * travel as one Cable Ready message and every stream as one entry of one broker message.
 *
 * Order is kept: updates join the batch in the order the calls made them, batches go to the
 * broadcaster one after another, and a Cable Ready client performs a message's operations in
 * order. The batch is sent once the current turn's promise jobs have all run (process.nextTick
 * queued from a job runs after the job queue drains), so no timer delays it and a caller's
 * promise still settles only when its updates were handed to the broadcaster, rejecting as the
 * broadcaster did.
 */
interface Batch {
  cableReady: CableReady;
  updates: number;
  sent: Promise<void>;
}

export class CoalescedCableReady {
  readonly #broadcaster: Broadcaster;
  #open: Batch | undefined;

  constructor(broadcaster: Broadcaster) {
    this.#broadcaster = broadcaster;
  }

  /** Lets `queue` add operations to this turn's batch; resolves once the batch was handed to the broadcaster. */
  send(queue: (cableReady: CableReady) => void): Promise<void> {
    const batch = this.#open ?? this.#start();
    queue(batch.cableReady);
    batch.updates += 1;
    // A full batch leaves now; later calls of this turn start the next one.
    if (batch.updates >= MAX_UPDATES_PER_BATCH) this.#open = undefined;
    return batch.sent;
  }

  #start(): Batch {
    const cableReady = new CableReady(this.#broadcaster);
    const batch: Batch = {
      cableReady,
      updates: 0,
      sent: new Promise<void>((resolve, reject) => {
        process.nextTick(() => {
          if (this.#open === batch) this.#open = undefined;
          cableReady.broadcast().then(resolve, reject);
        });
      }),
    };
    this.#open = batch;
    return batch;
  }
}

const perBroadcaster = new WeakMap<Broadcaster, CoalescedCableReady>();

/** The one batcher of `broadcaster`: every CallFeed on it shares the turn's batch, so order holds across them. */
export function coalescedCableReady(broadcaster: Broadcaster): CoalescedCableReady {
  let batcher = perBroadcaster.get(broadcaster);
  if (batcher === undefined) {
    batcher = new CoalescedCableReady(broadcaster);
    perBroadcaster.set(broadcaster, batcher);
  }
  return batcher;
}
