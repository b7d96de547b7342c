import { createHash } from "node:crypto";
import { mkdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Logger } from "anycable-ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const CLIENT_ENTRY = join(ROOT, "channels", "web", "client", "main.ts");
export const ASSETS_DIR = join(ROOT, "public", "assets");
export const BUNDLE_NAME = "call-monitor.js";
const BUNDLE_PATH = join(ASSETS_DIR, BUNDLE_NAME);
// esbuild's list of every file that went into the bundle, to tell whether it is stale.
const META_PATH = join(ASSETS_DIR, "call-monitor.meta.json");

export interface ClientBundle {
  code: Buffer;
  /** Short content hash, for cache-busting script URLs. */
  version: string;
}

/** Bundles the browser client with esbuild into public/assets/ (what `npm run build:client` runs). */
export async function buildClientBundle(): Promise<{ path: string; bytes: number }> {
  const esbuild = await import("esbuild");
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: [CLIENT_ENTRY],
    bundle: true,
    format: "iife",
    platform: "browser",
    target: ["es2020"],
    minify: true,
    sourcemap: false,
    metafile: true,
    write: false,
    legalComments: "none",
    logLevel: "silent",
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error("esbuild produced no output for the client bundle");
  await mkdir(ASSETS_DIR, { recursive: true });
  // Write-then-rename, so a server reading the bundle never sees half of it.
  const temporary = `${BUNDLE_PATH}.${process.pid}.tmp`;
  await writeFile(temporary, output.contents);
  await writeFile(`${META_PATH}.${process.pid}.tmp`, JSON.stringify({ inputs: Object.keys(result.metafile.inputs) }));
  await rename(temporary, BUNDLE_PATH);
  await rename(`${META_PATH}.${process.pid}.tmp`, META_PATH);
  return { path: BUNDLE_PATH, bytes: output.contents.byteLength };
}

async function isStale(): Promise<boolean> {
  let built: number;
  let inputs: string[];
  try {
    built = (await stat(BUNDLE_PATH)).mtimeMs;
    inputs = (JSON.parse(await readFile(META_PATH, "utf8")) as { inputs: string[] }).inputs;
  } catch {
    return true;
  }
  for (const input of inputs) {
    try {
      if ((await stat(join(ROOT, input))).mtimeMs > built) return true;
    } catch {
      return true;
    }
  }
  return false;
}

/**
 * The client bundle the dashboard serves, rebuilt first when missing or older than any of its
 * sources. Kept on disk rather than only in memory so a deployment can build it once
 * (`npm run build:client`) and run without esbuild, which is a dev dependency.
 */
export async function loadClientBundle(logger: Logger): Promise<ClientBundle> {
  if (await isStale()) {
    try {
      const built = await buildClientBundle();
      logger.info({ path: built.path, bytes: built.bytes }, "built the browser client");
    } catch (error) {
      const exists = await stat(BUNDLE_PATH).then(
        () => true,
        () => false,
      );
      if (!exists) {
        throw new Error(
          `The browser client is not built and building it failed (${error instanceof Error ? error.message : String(error)}); run \`npm run build:client\``,
        );
      }
      logger.warn({ err: error }, "the browser client looks stale and rebuilding it failed; serving the existing build");
    }
  }
  const code = await readFile(BUNDLE_PATH);
  return { code, version: createHash("sha256").update(code).digest("hex").slice(0, 12) };
}
