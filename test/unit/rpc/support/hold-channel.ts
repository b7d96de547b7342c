// A channel whose perform waits inside the application until the test lets it go: how the
// transport tests hold calls in flight to check draining, limits and shutdown.
import { Channel, defineApplication, z } from "../../../../src/index.js";
import { ChatConnection } from "../../../fixtures/chat-app.js";

/** Perform calls that wait inside the channel until the test lets them go. */
export const held = {
  releases: [] as Array<() => void>,
  arrivals: [] as Array<() => void>,
  async enter(): Promise<void> {
    for (const arrived of this.arrivals.splice(0)) arrived();
    await new Promise<void>((resolve) => this.releases.push(resolve));
  },
  /** Resolves once a call is inside the channel. */
  arrived(): Promise<void> {
    return new Promise((resolve) => this.arrivals.push(resolve));
  },
  releaseAll(): void {
    for (const release of this.releases.splice(0)) release();
  },
};

/**
 * Starts a call that the channel holds: `arrived` settles once it is inside, and fails at once if
 * the call is answered or refused instead, so a broken server fails the test rather than hanging it.
 */
export function holding<T>(start: () => Promise<T>): { reply: Promise<T>; arrived: Promise<void> } {
  const arrival = held.arrived();
  const reply = start();
  const answered = reply.then((value) => {
    throw new Error(`answered before it was held: ${JSON.stringify(value)}`);
  });
  return { reply, arrived: Promise.race([arrival, answered]) };
}

class HoldChannel extends Channel {
  static override identifier = "hold";
  static override actions = { hold: z.object({}) };

  async hold(): Promise<void> {
    await held.enter();
    this.transmit({ released: true });
  }
}

export const holdApp = defineApplication({ connection: ChatConnection, channels: [HoldChannel] });
