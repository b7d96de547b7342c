// The sample application's folders depend on one another one way only, and on the framework only
// through its public entry, as a user's project would (docs/architecture.md, "The sample
// application's layout"). Imports are read with TypeScript's own pre-processor, type imports too.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const CHANNELS = fileURLToPath(new URL("../../../channels", import.meta.url));
const packageJson = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as {
  exports: Record<string, unknown>;
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** Every file of channels/ with the modules it imports (relative ones resolved to paths). */
const imports = sourceFiles(CHANNELS).map((file) => ({
  file,
  specifiers: ts.preProcessFile(readFileSync(file, "utf8"), true, true).importedFiles.map((imported) => imported.fileName),
}));

/** A file's top-level folder of channels/ ("web" for web/routes/pages.ts); "." for app.ts. */
function folderOf(path: string): string {
  const parts = relative(CHANNELS, path).split(sep);
  return parts.length > 1 ? parts[0]! : ".";
}

function folderGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const { file, specifiers } of imports) {
    for (const specifier of specifiers.filter((s) => s.startsWith("."))) {
      const from = folderOf(file);
      const to = folderOf(join(dirname(file), specifier));
      if (from === to) continue;
      if (!graph.has(from)) graph.set(from, new Set());
      graph.get(from)!.add(to);
    }
  }
  return graph;
}

/** The first loop found, as the folders along it ("feed -> calls -> feed"), or undefined. */
function findLoop(graph: Map<string, Set<string>>): string | undefined {
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (folder: string): string | undefined => {
    const at = path.indexOf(folder);
    if (at >= 0) return [...path.slice(at), folder].join(" -> ");
    if (done.has(folder)) return undefined;
    path.push(folder);
    for (const next of graph.get(folder) ?? []) {
      const loop = visit(next);
      if (loop) return loop;
    }
    path.pop();
    done.add(folder);
    return undefined;
  };
  for (const folder of graph.keys()) {
    const loop = visit(folder);
    if (loop) return loop;
  }
  return undefined;
}

describe("the sample application's layout", () => {
  it("has no import loop between the folders of channels/", () => {
    const graph = folderGraph();
    expect(graph.size).toBeGreaterThan(5);
    expect(findLoop(graph)).toBeUndefined();
  });

  it("finds a loop when there is one", () => {
    const graph = new Map([
      ["calls", new Set(["config"])],
      ["feed", new Set(["calls", "views"])],
      ["views", new Set(["feed"])],
    ]);
    expect(findLoop(graph)).toBe("feed -> views -> feed");
    expect(findLoop(new Map([["feed", new Set(["calls", "views"])]]))).toBeUndefined();
  });

  it("reaches the framework only through its package name, never src/ by path", () => {
    const escaping = imports.flatMap(({ file, specifiers }) =>
      specifiers
        .filter((s) => s.startsWith(".") && relative(CHANNELS, join(dirname(file), s)).startsWith(".."))
        .map((s) => `${relative(CHANNELS, file)}: ${s}`),
    );
    expect(escaping).toEqual([]);
    const entries = Object.keys(packageJson.exports).map((entry) => join("anycable-ts", entry));
    const framework = imports.flatMap(({ specifiers }) => specifiers.filter((s) => /^anycable-ts($|\/)/.test(s)));
    expect(framework.length).toBeGreaterThan(20);
    expect(framework.filter((s) => !entries.includes(s))).toEqual([]);
  });
});
