import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// Type-only at the top: index.ts re-exports this module, and loading playwright-core costs most of
// a second and ~70 MB in every test process, so only launchChromium() loads it.
import type { BrowserContext } from "playwright-core";

import { chromiumBinary } from "./binaries.js";

// On this closed network Chromium's background services (component updates, sync, QUIC probes)
// get their connections refused and disturb page loads; these switch them off.
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface HeadlessChromium {
  readonly context: BrowserContext;
  /** Closes the browser and removes its profile directory. */
  close(): Promise<void>;
}

/** Headless Chromium (the system binary, via playwright-core) with a fresh, private profile. */
export async function launchChromium(options: { viewport?: { width: number; height: number } } = {}): Promise<HeadlessChromium> {
  const { chromium } = await import("playwright-core");
  const profile = mkdtempSync(join(tmpdir(), "test-chromium-"));
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumBinary(),
      headless: true,
      args: ARGS,
      viewport: options.viewport ?? { width: 1280, height: 800 },
      timeout: 30_000,
    });
    return {
      context,
      async close() {
        await context.close().catch(() => {});
        rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
}
