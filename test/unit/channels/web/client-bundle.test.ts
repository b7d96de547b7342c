// The dashboard serves its browser client from a bundle on disk, rebuilt when it is missing or
// older than any source that went into it, and kept serving when a rebuild fails but a build
// exists. Each case builds a tiny client of its own in a temporary folder, so the result never
// depends on what public/assets/ held when the suite started.
import { mkdtemp, readFile, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BUNDLE_NAME, loadClientBundle, type ClientBundleLocation } from "../../../../channels/web/client-bundle.js";
import { captureLogger } from "../../../support/capture-logger.js";

let dir: string;
let location: ClientBundleLocation;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "client-bundle-"));
  location = { root: dir, entry: join(dir, "main.ts"), assetsDir: join(dir, "assets") };
  await writeFile(join(dir, "main.ts"), 'import { greeting } from "./greeting";\ndocument.title = greeting;\n');
  await writeFile(join(dir, "greeting.ts"), 'export const greeting = "first build";\n');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const built = (logs: ReturnType<typeof captureLogger>) => logs.lines.filter((l) => l.msg === "built the browser client");

describe("loadClientBundle", () => {
  it("builds a missing bundle, writes it to the assets folder and versions it by its content", async () => {
    const logs = captureLogger();
    const bundle = await loadClientBundle(logs.logger, location);
    expect(bundle.code.toString()).toContain("first build");
    expect(await readFile(join(location.assetsDir, BUNDLE_NAME))).toEqual(bundle.code);
    expect(bundle.version).toMatch(/^[0-9a-f]{12}$/);
    expect(built(logs)).toHaveLength(1);
  });

  it("serves a fresh bundle as it is, without rebuilding", async () => {
    const first = await loadClientBundle(captureLogger().logger, location);
    const logs = captureLogger();
    const again = await loadClientBundle(logs.logger, location);
    expect(again).toEqual(first);
    expect(built(logs)).toEqual([]);
  });

  it("rebuilds when a source that went into the bundle is newer than it", async () => {
    const first = await loadClientBundle(captureLogger().logger, location);
    await writeFile(join(dir, "greeting.ts"), 'export const greeting = "second build";\n');
    const later = new Date(Date.now() + 60_000);
    await utimes(join(dir, "greeting.ts"), later, later);
    const logs = captureLogger();
    const rebuilt = await loadClientBundle(logs.logger, location);
    expect(rebuilt.code.toString()).toContain("second build");
    expect(rebuilt.version).not.toBe(first.version);
    expect(built(logs)).toHaveLength(1);
  });

  it("keeps serving the existing build, with a warning, when a stale bundle cannot be rebuilt", async () => {
    const first = await loadClientBundle(captureLogger().logger, location);
    await writeFile(join(dir, "greeting.ts"), "export const greeting = ;\n");
    const later = new Date(Date.now() + 60_000);
    await utimes(join(dir, "greeting.ts"), later, later);
    const logs = captureLogger();
    expect(await loadClientBundle(logs.logger, location)).toEqual(first);
    expect(logs.at("warn").map((l) => l.msg)).toEqual([
      "the browser client looks stale and rebuilding it failed; serving the existing build",
    ]);
  });

  it("fails with what to run when there is no build and building fails", async () => {
    await writeFile(join(dir, "greeting.ts"), "export const greeting = ;\n");
    await expect(loadClientBundle(captureLogger().logger, location)).rejects.toThrow(
      /^The browser client is not built and building it failed \(.+\); run `npm run build:client`$/s,
    );
  });

  it("rebuilds when a source listed in the bundle's metadata is gone", async () => {
    await loadClientBundle(captureLogger().logger, location);
    await writeFile(join(dir, "main.ts"), 'document.title = "no more imports";\n');
    await rm(join(dir, "greeting.ts"));
    const logs = captureLogger();
    expect((await loadClientBundle(logs.logger, location)).code.toString()).toContain("no more imports");
    expect(built(logs)).toHaveLength(1);
  });
});
