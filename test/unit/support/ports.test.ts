import { createServer } from "node:net";
import { describe, expect, it } from "vitest";

import { freePort, freePorts, isPortOpen } from "../../support/ports.js";

describe("freePort", () => {
  it("returns distinct loopback ports that can be bound", async () => {
    const ports = await freePorts(5);
    expect(new Set(ports).size).toBe(5);
    for (const port of ports) {
      const server = createServer();
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, "127.0.0.1", resolve);
      });
      expect(await isPortOpen(port)).toBe(true);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("isPortOpen is false when nothing listens", async () => {
    expect(await isPortOpen(await freePort())).toBe(false);
  });
});
