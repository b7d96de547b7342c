// An adapter of one's own (docs/architecture.md), passed to loadBroadcastConfig by hand: every
// publication appended as one line of JSON to a file (ANYCABLE_BROADCAST_FILE), e.g. to audit or
// replay what an application sent. It imports only the public entry, as a user's project would.
import { appendFile } from "node:fs/promises";
import {
  defineBroadcastAdapter,
  SENT,
  z,
  type BroadcastTransport,
  type DeliveryOutcome,
  type TransportListener,
} from "../../../../src/index.js";

class JsonLinesTransport implements BroadcastTransport {
  readonly kind = "JSON lines file";
  readonly ready = true;

  constructor(readonly target: string) {}

  start(listener: TransportListener): void {
    listener.up();
  }

  async deliver(payloads: readonly string[]): Promise<DeliveryOutcome[]> {
    try {
      await appendFile(this.target, payloads.map((payload) => `${payload}\n`).join(""));
      return payloads.map(() => SENT);
    } catch (error) {
      // A missing folder or a full disk may be fixed while the publications wait in the queue.
      const reason = error instanceof Error ? error : new Error(String(error));
      return payloads.map(() => ({ status: "retry", error: reason }));
    }
  }

  async stop(): Promise<void> {}
}

export const jsonLinesAdapter = defineBroadcastAdapter({
  name: "jsonl",
  configKey: "jsonl",
  env: {
    ANYCABLE_BROADCAST_FILE: z
      .string()
      .trim()
      .refine((path) => path.endsWith(".jsonl"), "expected a path ending in .jsonl")
      .default("broadcasts.jsonl"),
  },
  settings: (env) => ({ path: env.ANYCABLE_BROADCAST_FILE }),
  createTransport: ({ path }) => new JsonLinesTransport(path),
  describe: () => "one publication per line",
});
