import type { BroadcastTransport, DeliveryOutcome, TransportListener } from "../../../src/broadcast/transport.js";

type Behaviour = (payload: string) => DeliveryOutcome;

/** A broker stand-in the test switches up and down; records what was delivered, in order. */
export class FakeTransport implements BroadcastTransport {
  readonly kind = "Fake broker";
  readonly target = "fake://broker:1";
  ready = false;
  windowSpacingMs: number | undefined = undefined;
  delivered: string[] = [];
  deliverCalls = 0;
  /** How many payloads each deliver() call was handed, in call order. */
  deliverSizes: number[] = [];
  stopped = false;
  behaviour: Behaviour = () => ({ status: "sent" });
  private listener: TransportListener | undefined;

  start(listener: TransportListener): void {
    this.listener = listener;
  }

  up(): void {
    this.ready = true;
    this.listener?.up();
  }

  down(reason = new Error("connection refused")): void {
    this.ready = false;
    this.listener?.down(reason);
  }

  async deliver(payloads: readonly string[]): Promise<DeliveryOutcome[]> {
    this.deliverCalls += 1;
    this.deliverSizes.push(payloads.length);
    await Promise.resolve();
    // Like the real transports: after one "retry", the rest of the call is not attempted.
    let stalled: Error | undefined = this.ready ? undefined : new Error("not connected");
    return payloads.map((payload): DeliveryOutcome => {
      if (stalled !== undefined) return { status: "retry", error: stalled };
      const outcome = this.behaviour(payload);
      if (outcome.status === "sent") this.delivered.push(payload);
      if (outcome.status === "retry") stalled = outcome.error;
      return outcome;
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
  }
}
