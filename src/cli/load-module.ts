import { extname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { ConfigError } from "../config/errors.js";

const TYPESCRIPT = new Set([".ts", ".mts", ".cts", ".tsx"]);

/** An imported module's exports, unchecked: see application-module.ts for what they should be. */
export type ModuleExports = Readonly<Record<string, unknown>>;

/**
 * Imports the application module at `path` (relative to the working directory) and returns its
 * exports. Failures a user can fix by themselves become a ConfigError saying how.
 */
export async function loadModule(path: string): Promise<ModuleExports> {
  const url = pathToFileURL(resolve(path)).href;
  try {
    return (await import(url)) as ModuleExports;
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (code === "ERR_UNKNOWN_FILE_EXTENSION" && TYPESCRIPT.has(extname(path))) {
      throw new ConfigError(
        `Cannot load ${path}: this Node cannot run TypeScript by itself. Either compile it (tsc) and serve the .js file, ` +
          `or give Node a TypeScript loader, e.g. \`npm install --save-dev tsx\` then ` +
          `\`NODE_OPTIONS="--import tsx" npx anycable-ts ${path}\` (Node 22.18+ and 23.6+ strip types natively).`,
      );
    }
    if (code === "ERR_MODULE_NOT_FOUND" && (error as Error).message.includes(resolve(path))) {
      throw new ConfigError(`Cannot load ${path}: no such file (looked for ${resolve(path)})`);
    }
    throw error;
  }
}
