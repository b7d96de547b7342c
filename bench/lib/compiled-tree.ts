// The server under test as users run it: the framework compiled by `npm run build`'s own
// tsconfig (tsconfig.build.json) and installed as the "anycable-ts" package, the application
// and the bench's server child compiled by tsc, all run by plain `node` with no loader. tsx
// (esbuild) is what the repository runs for tests and development; its output differs (keepNames
// wraps named functions and classes in `__name()`), so a benchmark of tsx's output would measure
// something no deployment runs.
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../../test/support/binaries.js";

/** Where a compiled tree's modules are: the server child script, and the app modules beside it. */
export interface CompiledTree {
  /** bench/lib compiled, with server-child.js, call-monitor-app.js and minimal-app.js. */
  benchLib: string;
}

const BENCH_ENTRIES = ["bench/lib/server-child.ts", "bench/lib/call-monitor-app.ts", "bench/lib/minimal-app.ts"];

/**
 * Compiles the checkout at `root` (the working tree, or a baseline extracted from git) into
 * `outDir`: `outDir/node_modules/anycable-ts` is the package as `npm pack` ships it (package.json,
 * protos/, dist/ from root's tsconfig.build.json), every other package links to this
 * repository's node_modules, and `outDir/app` holds channels/ and bench/lib compiled with root's
 * tsconfig.json, importing "anycable-ts" by name as a user's project does.
 */
export function compileTree(root: string, outDir: string): CompiledTree {
  const modules = join(outDir, "node_modules");
  mkdirSync(modules, { recursive: true });
  for (const entry of readdirSync(join(REPO_ROOT, "node_modules"))) {
    if (entry === "anycable-ts" || entry === ".bin") continue;
    symlinkSync(join(REPO_ROOT, "node_modules", entry), join(modules, entry));
  }
  const pkg = join(modules, "anycable-ts");
  mkdirSync(pkg);
  cpSync(join(root, "package.json"), join(pkg, "package.json"));
  cpSync(join(root, "protos"), join(pkg, "protos"), { recursive: true });
  const tsc = join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc");
  // Type errors are not this step's business (npx tsc --noEmit is): --noCheck only emits.
  const run = (args: string[]): void => {
    execFileSync(process.execPath, [tsc, ...args], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  };
  run(["-p", join(root, "tsconfig.build.json"), "--outDir", join(pkg, "dist"), "--noCheck"]);
  const appConfig = join(outDir, "tsconfig.app.json");
  writeFileSync(
    appConfig,
    JSON.stringify({
      extends: join(root, "tsconfig.json"),
      compilerOptions: {
        noEmit: false,
        noCheck: true,
        rootDir: root,
        outDir: join(outDir, "app"),
        // "anycable-ts" stays a package import, resolved at run time to the compiled package.
        paths: {},
        typeRoots: [join(REPO_ROOT, "node_modules", "@types")],
      },
      include: [],
      files: BENCH_ENTRIES.map((entry) => join(root, entry)),
    }),
  );
  run(["-p", appConfig]);
  return { benchLib: join(outDir, "app", "bench", "lib") };
}
