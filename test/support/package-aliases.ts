import { fileURLToPath } from "node:url";

const source = (path: string): string => fileURLToPath(new URL(`../../${path}`, import.meta.url));

/**
 * The framework's package name resolved to its TypeScript source, as tsconfig.json's paths do for
 * tsc and tsx (the published package resolves it to dist/ instead): for every Vitest config that
 * loads the application, which imports the framework by that name.
 */
export const packageAliases = [
  { find: /^anycable-ts$/, replacement: source("src/index.ts") },
  { find: /^anycable-ts\/testing$/, replacement: source("src/testing/index.ts") },
  { find: /^anycable-ts\/cable-ready$/, replacement: source("src/cable-ready/index.ts") },
];
