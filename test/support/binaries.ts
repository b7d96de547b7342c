import { accessSync, constants, statSync } from "node:fs";
import { delimiter, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Repository root (test/support/ is two levels down). */
export const REPO_ROOT = resolve(fileURLToPath(new URL(".", import.meta.url)), "..", "..");

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** First executable named `name` on PATH, else in `extraDirs`; undefined if none. */
export function which(name: string, extraDirs: readonly string[] = []): string | undefined {
  const dirs = [...(process.env.PATH ?? "").split(delimiter).filter(Boolean), ...extraDirs];
  for (const dir of dirs) {
    const candidate = join(dir, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

export interface FindBinaryOptions {
  /** Environment variable that, when set, names the binary explicitly. */
  envVar?: string;
  /** Searched after PATH (Debian puts nats-server in /usr/sbin, often not on a user's PATH). */
  extraDirs?: readonly string[];
  /** Appended to the "not found" error: how to get the binary. */
  hint: string;
}

/** Resolves a required binary or throws an error that says how to provide it. */
export function findBinary(name: string, options: FindBinaryOptions): string {
  const { envVar, extraDirs = [], hint } = options;
  const explicit = envVar ? process.env[envVar] : undefined;
  if (explicit) {
    if (isExecutableFile(explicit)) return explicit;
    throw new Error(`${envVar}=${explicit} is not an executable file. ${hint}`);
  }
  const found = which(name, extraDirs);
  if (found) return found;
  const places = [envVar ? `$${envVar}` : undefined, "PATH", ...extraDirs].filter(Boolean).join(", ");
  throw new Error(`${name} not found (looked in: ${places}). ${hint}`);
}

/** Chromium for e2e tests: $CHROMIUM_BIN, else chromium / chromium-browser / google-chrome on PATH. */
export function chromiumBinary(): string {
  const hint = "Run `bash scripts/setup.sh` (installs the Debian package chromium) or set CHROMIUM_BIN.";
  if (process.env.CHROMIUM_BIN) return findBinary("chromium", { envVar: "CHROMIUM_BIN", hint });
  for (const name of ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]) {
    const found = which(name);
    if (found) return found;
  }
  throw new Error(`chromium not found (looked in: $CHROMIUM_BIN, PATH for chromium, chromium-browser, google-chrome). ${hint}`);
}

export { isExecutableFile };
