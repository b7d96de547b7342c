// Loading the application module: its default export, or a message a user can act on.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadModule } from "../../../src/cli/load-module.js";
import { ConfigError } from "../../../src/config/errors.js";
import chatApp from "../../fixtures/chat-app.js";

describe("loadModule", () => {
  let dir: string;
  // Node's own import(), out of reach of Vitest's module runner (which would load TypeScript
  // itself): what `anycable-ts app.ts` meets when Node runs it without a TypeScript loader. A
  // CommonJS file that Node's require() compiles is the way in.
  let nodeImport: (url: string) => Promise<unknown>;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "load-module-"));
    writeFileSync(join(dir, "node-import.cjs"), "module.exports = (url) => import(url);\n");
    nodeImport = createRequire(import.meta.url)(join(dir, "node-import.cjs")) as typeof nodeImport;
    writeFileSync(join(dir, "app.mjs"), "export default { answer: 42 };\n");
    writeFileSync(join(dir, "app.ts"), "export default { answer: 42 } as const;\n");
    writeFileSync(join(dir, "broken.mjs"), 'import "./gone.mjs";\nexport default 1;\n');
    writeFileSync(join(dir, "throws.mjs"), 'throw new Error("no DATABASE_URL");\n');
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("returns the module's exports, the path relative to the working directory", async () => {
    expect((await loadModule("test/fixtures/chat-app.ts")).default).toBe(chatApp);
    expect((await loadModule(join(dir, "app.mjs"), nodeImport)).default).toEqual({ answer: 42 });
  });

  it("says how to run TypeScript when Node cannot", async () => {
    const path = join(dir, "app.ts");
    const failure = loadModule(path, nodeImport);
    await expect(failure).rejects.toThrow(ConfigError);
    await expect(failure).rejects.toThrow(
      `Cannot load ${path}: this Node cannot run TypeScript by itself. Either compile it (tsc) and serve the .js file, ` +
        `or give Node a TypeScript loader, e.g. \`npm install --save-dev tsx\` then \`NODE_OPTIONS="--import tsx" npx anycable-ts ${path}\``,
    );
  });

  it("names the file it looked for when there is none", async () => {
    const path = join(dir, "missing.mjs");
    await expect(loadModule(path, nodeImport)).rejects.toThrow(new ConfigError(`Cannot load ${path}: no such file (looked for ${path})`));
  });

  it("passes on a module's own failures untouched: a missing import of the module, an exception it throws", async () => {
    const missingImport = loadModule(join(dir, "broken.mjs"), nodeImport);
    await expect(missingImport).rejects.toMatchObject({ code: "ERR_MODULE_NOT_FOUND", message: expect.stringContaining("gone.mjs") });
    await expect(missingImport).rejects.not.toBeInstanceOf(ConfigError);
    await expect(loadModule(join(dir, "throws.mjs"), nodeImport)).rejects.toThrow(new Error("no DATABASE_URL"));
  });
});
