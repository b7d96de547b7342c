import { existsSync } from "node:fs";
import { extname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { ConfigError } from "../config/errors.js";

const TYPESCRIPT = new Set([".ts", ".mts", ".cts", ".tsx"]);

/** An imported module's exports, unchecked: see application-module.ts for what they should be. */
export type ModuleExports = Readonly<Record<string, unknown>>;

/** How a module is imported: Node's own `import()`, unless a test runs the loader another way. */
export type ImportModule = (url: string) => Promise<unknown>;

/**
 * Imports the application module at `path` (relative to the working directory) and returns its
 * exports. Failures a user can fix by themselves become a ConfigError saying how.
 */
export async function loadModule(path: string, importModule: ImportModule = (url) => import(url)): Promise<ModuleExports> {
  const url = pathToFileURL(resolve(path)).href;
  try {
    return (await importModule(url)) as ModuleExports;
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (code === "ERR_UNKNOWN_FILE_EXTENSION" && TYPESCRIPT.has(extname(path))) {
      throw new ConfigError(
        `Cannot load ${path}: this Node cannot run TypeScript by itself. Either compile it (tsc) and serve the .js file, ` +
          `or give Node a TypeScript loader, e.g. \`npm install --save-dev tsx\` then ` +
          `\`NODE_OPTIONS="--import tsx" npx anycable-ts ${path}\` (Node 22.18+ and 23.6+ strip types natively).`,
      );
    }
    // Node's message names the importing module too, so it mentions `path` when an import *of*
    // the module is missing: only a file that is really absent is "no such file".
    if (code === "ERR_MODULE_NOT_FOUND" && !existsSync(resolve(path))) {
      throw new ConfigError(`Cannot load ${path}: no such file (looked for ${resolve(path)})`);
    }
    throw error;
  }
}
