import { createHash } from "node:crypto";
import { mkdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Logger } from "anycable-ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Where the browser client's source is and where its bundle goes. */
export interface ClientBundleLocation {
  /** esbuild's working directory: the metadata's input paths are relative to it. */
  root: string;
  entry: string;
  assetsDir: string;
}

export const BUNDLE_NAME = "call-monitor.js";
export const CLIENT_BUNDLE_LOCATION: ClientBundleLocation = {
  root: ROOT,
  entry: join(ROOT, "channels", "web", "client", "main.ts"),
  assetsDir: join(ROOT, "public", "assets"),
};

const bundlePath = (location: ClientBundleLocation): string => join(location.assetsDir, BUNDLE_NAME);
// esbuild's list of every file that went into the bundle, to tell whether it is stale.
const metaPath = (location: ClientBundleLocation): string => join(location.assetsDir, "call-monitor.meta.json");

export interface ClientBundle {
  code: Buffer;
  /** Short content hash, for cache-busting script URLs. */
  version: string;
}

/** Bundles the browser client with esbuild into public/assets/ (what `npm run build:client` runs). */
export async function buildClientBundle(location = CLIENT_BUNDLE_LOCATION): Promise<{ path: string; bytes: number }> {
  const esbuild = await import("esbuild");
  const result = await esbuild.build({
    absWorkingDir: location.root,
    entryPoints: [location.entry],
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
  await mkdir(location.assetsDir, { recursive: true });
  const bundleFile = bundlePath(location);
  const metaFile = metaPath(location);
  // Write-then-rename, so a server reading the bundle never sees half of it.
  const temporary = `${bundleFile}.${process.pid}.tmp`;
  await writeFile(temporary, output.contents);
  await writeFile(`${metaFile}.${process.pid}.tmp`, JSON.stringify({ inputs: Object.keys(result.metafile.inputs) }));
  await rename(temporary, bundleFile);
  await rename(`${metaFile}.${process.pid}.tmp`, metaFile);
  return { path: bundleFile, bytes: output.contents.byteLength };
}

async function isStale(location: ClientBundleLocation): Promise<boolean> {
  let built: number;
  let inputs: string[];
  try {
    built = (await stat(bundlePath(location))).mtimeMs;
    inputs = (JSON.parse(await readFile(metaPath(location), "utf8")) as { inputs: string[] }).inputs;
  } catch {
    return true;
  }
  for (const input of inputs) {
    try {
      if ((await stat(join(location.root, input))).mtimeMs > built) return true;
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
export async function loadClientBundle(logger: Logger, location = CLIENT_BUNDLE_LOCATION): Promise<ClientBundle> {
  const bundleFile = bundlePath(location);
  if (await isStale(location)) {
    try {
      const built = await buildClientBundle(location);
      logger.info({ path: built.path, bytes: built.bytes }, "built the browser client");
    } catch (error) {
      const exists = await stat(bundleFile).then(
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
  const code = await readFile(bundleFile);
  return { code, version: createHash("sha256").update(code).digest("hex").slice(0, 12) };
}
