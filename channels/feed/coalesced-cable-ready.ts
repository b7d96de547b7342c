import { CableReady, type Broadcaster } from "anycable-ts";

/** A batch grows no larger than this many calls' updates: one broker message stays far below NATS's 1 MB. */
const MAX_UPDATES_PER_BATCH = 256;

/**
 * The dashboard updates of every call handled in the same pass of the event loop, sent as one
 * broadcast. anycable-go hands a server many calls at once (28 in flight by default) and grpc-js
 * runs each from its own I/O callback; one publication per call meant one batch encoding, one
 * queue entry and one NATS PUB per call. Together, the `calls` list's operations of all those
 * calls travel as one Cable Ready message and every stream as one entry of one broker message
 * (measured: 28 calls per batch under h2load at 28 in flight).
 *
 * The batch leaves from setImmediate, i.e. right after the loop's I/O callbacks of this pass:
 * process.nextTick or a promise job would fire after each call's own callback and batch nothing.
 * `send`'s promise settles when the batch was handed to the broadcaster (rejecting as the
 * broadcaster did); `handedOver()` waits for every batch queued so far.
 *
 * Order is kept: updates join the batch in the order the calls made them, batches go to the
 * broadcaster one after another, and a Cable Ready client performs a message's operations in
 * order.
 */
interface Batch {
  cableReady: CableReady;
  updates: number;
  sent: Promise<void>;
}

export class CoalescedCableReady {
  readonly #broadcaster: Broadcaster;
  #open: Batch | undefined;
  /** The newest batch's hand-over, failures swallowed (`send`'s caller sees them): batches leave in order. */
  #last: Promise<void> = Promise.resolve();

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

  /** Settles once every batch queued so far was handed to the broadcaster (whether it accepted it or not). */
  handedOver(): Promise<void> {
    return this.#last;
  }

  #start(): Batch {
    const cableReady = new CableReady(this.#broadcaster);
    const batch: Batch = {
      cableReady,
      updates: 0,
      sent: new Promise<void>((resolve, reject) => {
        setImmediate(() => {
          if (this.#open === batch) this.#open = undefined;
          cableReady.broadcast().then(resolve, reject);
        });
      }),
    };
    this.#open = batch;
    this.#last = batch.sent.catch(() => undefined);
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
