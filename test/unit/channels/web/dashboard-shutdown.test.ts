// Stopping the dashboard: its close() resolves only once the last updates of the work it stops
// were handed to the broadcaster, because `npm run web` closes the broadcaster right after it.
import { describe, expect, it } from "vitest";
import { silentLogger, type Publication } from "../../../../src/index.js";
import { MemoryCallRegistry } from "../../../../channels/calls/memory-call-registry.js";
import { createDashboard } from "../../../../channels/web/server.js";
import { CALLS_STREAM } from "../../../../channels/views/live-regions.js";
import { RecordingBroadcaster } from "../../../fixtures/recording-broadcaster.js";

const SID = "CA00112233445566778899aabbccddeeff";
const LEASE_SECONDS = 60;

/** A registry whose endIfSilent waits inside until the test lets it go: a sweep in progress. */
class HeldSweepRegistry extends MemoryCallRegistry {
  readonly #arrivals: Array<() => void> = [];
  readonly #releases: Array<() => void> = [];

  override async endIfSilent(sid: string, cutoff: number): Promise<boolean> {
    for (const arrived of this.#arrivals.splice(0)) arrived();
    await new Promise<void>((resolve) => this.#releases.push(resolve));
    return super.endIfSilent(sid, cutoff);
  }

  arrived(): Promise<void> {
    return new Promise((resolve) => this.#arrivals.push(resolve));
  }

  release(): void {
    for (const release of this.#releases.splice(0)) release();
  }
}

const removes = (publications: Publication[]): string[] =>
  publications
    .filter((p) => p.stream === CALLS_STREAM)
    .flatMap((p) => (JSON.parse(p.data) as { operations: Array<{ operation: string; selector: string }> }).operations)
    .filter((op) => op.operation === "remove")
    .map((op) => op.selector);

describe("closing the dashboard", () => {
  it("hands over the end of a call the lease sweep was ending before it resolves", async () => {
    const registry = new HeldSweepRegistry({ leaseMs: LEASE_SECONDS * 1000 });
    await registry.callStarted(SID, Date.now() - 2 * LEASE_SECONDS * 1000);
    const broadcaster = new RecordingBroadcaster();
    const arrived = registry.arrived();
    const dashboard = await createDashboard({
      env: { ANYCABLE_CABLE_READY_SECRET: "s3cret", CALL_LEASE_SECONDS: String(LEASE_SECONDS) },
      logger: silentLogger(),
      registry,
      broadcaster,
    });
    // The start-up sweep found the silent call and is ending it when the process is told to stop.
    await arrived;
    const closed = dashboard.close();
    registry.release();
    await closed;
    // What the process does next: nothing sent from now on would be accepted.
    const handedOver = [...broadcaster.all];
    await broadcaster.close();

    expect(await registry.liveCalls()).toEqual([]);
    expect(removes(handedOver)).toEqual([`#call_${SID}`]);
  });
});
