// The framework as a user gets it: `npm pack` of this repository, installed into a fresh project
// outside it, used with plain node, the user's own strict tsc, its testing helpers and its bin in
// front of a real anycable-go. The project's files are the README's "Writing a channel" examples,
// read from the README itself, so the documentation cannot drift from what works.
import { execFile } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, connectCable, freePort, spawnProcess, startAnycableGo } from "../../support/index.js";

const run = promisify(execFile);

/** What the sample application and the repository's tools depend on: none may reach a user. */
const NOT_FOR_USERS = [
  "twilio",
  "hono",
  "@hono/node-server",
  "yaml",
  "ws",
  "cable_ready",
  "@anycable/web",
  "@anycable/core",
  "@anycable/serverless-js",
  "tsx",
  "esbuild",
  "vitest",
  "prettier",
  "pino-pretty",
  "playwright-core",
  "call-monitor",
];

/** The README's examples: a `<!-- example: path -->` line followed by a fenced code block. */
function readmeExamples(): Map<string, string> {
  const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
  const examples = new Map<string, string>();
  for (const match of readme.matchAll(/<!-- example: (\S+) -->\n```\w*\n([\s\S]*?)\n```/g)) {
    examples.set(match[1] ?? "", `${match[2] ?? ""}\n`);
  }
  return examples;
}

let project: string;
let tarball: string;
const examples = readmeExamples();

function write(path: string, content: string): void {
  mkdirSync(dirname(join(project, path)), { recursive: true });
  writeFileSync(join(project, path), content);
}

function example(path: string): string {
  const content = examples.get(path);
  if (content === undefined) throw new Error(`README.md has no example for ${path}`);
  return content;
}

/** Runs a command in the user's project; resolves with its output and exit code, never rejects. */
async function inProject(command: string, args: string[], env: NodeJS.ProcessEnv = process.env) {
  try {
    const { stdout, stderr } = await run(command, args, { cwd: project, env, timeout: 240_000, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === "number" ? failed.code : 1, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
  }
}

const bin = () => join(project, "node_modules", ".bin", "anycable-ts");

beforeAll(async () => {
  project = mkdtempSync(join(tmpdir(), "anycable-ts-user-"));
  // `npm pack` runs prepack, which builds dist/ from src/.
  await run("npm", ["pack", "--pack-destination", project, "--loglevel=error"], { cwd: REPO_ROOT, timeout: 240_000 });
  const packed = readdirSync(project).find((name) => name.endsWith(".tgz"));
  if (!packed) throw new Error("npm pack produced no tarball");
  tarball = join(project, packed);
  write("package.json", JSON.stringify({ name: "chat-user", version: "1.0.0", private: true, type: "module" }, null, 2));
  const typescript = JSON.parse(readFileSync(join(REPO_ROOT, "node_modules", "typescript", "package.json"), "utf8")) as { version: string };
  // The registry is allowed; the npm cache keeps this quick.
  const install = await inProject("npm", [
    "install",
    tarball,
    `typescript@${typescript.version}`,
    "--prefer-offline",
    "--no-audit",
    "--no-fund",
    "--loglevel=error",
  ]);
  if (install.code !== 0) throw new Error(`npm install failed:\n${install.stderr}`);
}, 420_000);

afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

describe("the packed tarball", () => {
  it("holds the compiled framework, its declarations and its proto, and nothing of the repository", async () => {
    const { stdout } = await run("tar", ["-tzf", tarball]);
    const files = stdout.split("\n").filter(Boolean);
    expect(files).toEqual(
      expect.arrayContaining([
        "package/package.json",
        "package/dist/index.js",
        "package/dist/index.d.ts",
        "package/dist/index.js.map",
        "package/dist/testing/index.js",
        "package/dist/testing/index.d.ts",
        "package/dist/cli/main.js",
        "package/protos/rpc.proto",
      ]),
    );
    expect(files.filter((f) => !/^package\/(dist\/|protos\/rpc\.proto$|package\.json$|README\.md$|LICENSE)/.test(f))).toEqual([]);
  });

  it("installs the framework's runtime dependencies only", () => {
    const installed = (name: string) => existsSync(join(project, "node_modules", name));
    expect(installed("anycable-ts")).toBe(true);
    expect(installed("@grpc/grpc-js")).toBe(true);
    expect(NOT_FOR_USERS.filter(installed)).toEqual([]);
  });
});

describe("in a fresh project", () => {
  it("imports with plain node, every entry point", async () => {
    const script = [
      'const main = await import("anycable-ts");',
      'const testing = await import("anycable-ts/testing");',
      'const cableReady = await import("anycable-ts/cable-ready");',
      "console.log(JSON.stringify([typeof main.defineApplication, typeof main.startRpcServer, typeof testing.createTestCable, typeof cableReady.operations]));",
    ].join("\n");
    const result = await inProject(process.execPath, ["--input-type=module", "-e", script]);
    expect(result.stderr).toBe("");
    expect(JSON.parse(result.stdout)).toEqual(["function", "function", "function", "function"]);
  });

  it("compiles the README's TypeScript channel and test with the user's strict tsc, and the test passes", async () => {
    write("src/chat.ts", example("src/chat.ts"));
    write("src/chat.test.ts", example("src/chat.test.ts"));
    // Typed actions reach users through the declarations: a mismatch does not compile.
    write(
      "src/mismatch.ts",
      [
        'import { Channel, defineApplication, z } from "anycable-ts";',
        "class Mismatch extends Channel {",
        '  static override identifier = "mismatch";',
        "  static override actions = { speak: z.object({ text: z.string() }) };",
        "  speak(data: { text: number }): number {",
        "    return data.text;",
        "  }",
        "}",
        "// @ts-expect-error speak(data: { text: number }) does not accept what its schema produces",
        "export default defineApplication({ channels: [Mismatch] });",
        "",
      ].join("\n"),
    );
    write(
      "tsconfig.json",
      JSON.stringify(
        {
          compilerOptions: {
            target: "ES2022",
            module: "NodeNext",
            moduleResolution: "NodeNext",
            strict: true,
            exactOptionalPropertyTypes: true,
            noPropertyAccessFromIndexSignature: true,
            noUncheckedIndexedAccess: true,
            noImplicitOverride: true,
            skipLibCheck: false,
            rootDir: "src",
            outDir: "dist",
          },
          include: ["src"],
        },
        null,
        2,
      ),
    );
    const tsc = await inProject(process.execPath, [join(project, "node_modules", "typescript", "bin", "tsc"), "-p", "."]);
    expect(tsc.stdout + tsc.stderr).toBe("");
    expect(tsc.code).toBe(0);

    const test = await inProject(process.execPath, ["--test", "dist/chat.test.js"]);
    expect(test.stdout).toMatch(/# pass 2\b/);
    expect(test.stdout).toMatch(/# fail 0\b/);
    expect(test.code).toBe(0);
    // The user's tsc checks every declaration file (skipLibCheck: false), @types/node and zod's
    // included: 45 s on a quiet 2-core machine, more on a busy one.
  }, 240_000);

  it("has a bin with --help, --version, and a clear error for TypeScript without a loader", async () => {
    const help = await inProject(bin(), ["--help"]);
    expect(help.stdout).toMatch(/^Usage:/);
    expect(help.stdout).toContain("health-check");
    const version = await inProject(bin(), ["--version"]);
    const manifest = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { version: string };
    expect(version.stdout.trim()).toBe(manifest.version);
    const missing = await inProject(bin(), []);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/Missing the application module/);

    write(
      "src/plain.ts",
      'import { defineApplication } from "anycable-ts";\nexport default defineApplication({ channels: [] as const });\n',
    );
    const port = await freePort();
    // pino-pretty is not installed here: asking for text logs falls back to JSON with a warning.
    const ts = await inProject(bin(), ["src/plain.ts"], {
      PATH: process.env.PATH,
      ANYCABLE_RPC_HOST: `127.0.0.1:${port}`,
      ANYCABLE_LOG_FORMAT: "text",
    });
    expect(ts.stdout).toContain("ANYCABLE_LOG_FORMAT=text needs pino-pretty");
    expect(ts.code).toBe(1);
    expect(ts.stderr).toMatch(/Cannot load src\/plain\.ts: this Node cannot run TypeScript by itself/);
    expect(ts.stderr).toContain('NODE_OPTIONS="--import tsx"');
  });

  it("serves the README's JavaScript chat with the bin to anycable-go: two clients hear each other", async () => {
    // The application brings its own copy of the framework, as a project whose bin comes from
    // elsewhere does; the bin must still recognise its Connection and Channel classes.
    write("chat/app.js", example("app.js"));
    write("chat/package.json", JSON.stringify({ name: "chat", private: true, type: "module" }));
    cpSync(join(project, "node_modules", "anycable-ts"), join(project, "chat", "node_modules", "anycable-ts"), { recursive: true });

    const rpcPort = await freePort();
    const anycable = await startAnycableGo({ rpcHost: `127.0.0.1:${rpcPort}` });
    const rpcEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ANYCABLE_RPC_HOST: `127.0.0.1:${rpcPort}`,
      ANYCABLE_BROADCAST_ADAPTER: "http",
      ANYCABLE_HTTP_BROADCAST_URL: anycable.broadcastUrl ?? "",
      ANYCABLE_LOG_FORMAT: "json",
    };
    const rpc = await spawnProcess({ name: "anycable-ts", command: bin(), args: ["chat/app.js"], cwd: project, env: rpcEnv });
    try {
      await rpc.waitForOutput(/AnyCable RPC server listening/, 30_000);
      const health = await inProject(bin(), ["health-check"], rpcEnv);
      expect(health.stdout).toMatch(/anycable\.RPC at 127\.0\.0\.1:\d+: SERVING/);
      expect(health.code).toBe(0);

      const ann = await connectCable(`${anycable.url}?user=ann`);
      const bob = await connectCable(`${anycable.url}?user=bob`);
      const annRoom = await ann.subscribe("chat", { room: "lobby" });
      const bobRoom = await bob.subscribe("chat", { room: "lobby" });
      await annRoom.perform("speak", { text: "hi bob" });
      await bobRoom.perform("speak", { text: "hi ann" });
      const expected = [
        { from: "ann", text: "hi bob" },
        { from: "bob", text: "hi ann" },
      ];
      expect(await annRoom.waitForMessages(2)).toEqual(expect.arrayContaining(expected));
      expect(await bobRoom.waitForMessages(2)).toEqual(expect.arrayContaining(expected));

      const stranger = await connectCable(anycable.url).catch((error: unknown) => error);
      expect(String(stranger)).toMatch(/unauthorized/i);
      await Promise.all([ann.close(), bob.close()]);

      expect(await rpc.stop({ signal: "SIGTERM", timeoutMs: 15_000 })).toEqual({ code: 0, signal: null });
      const down = await inProject(bin(), ["health-check"], rpcEnv);
      expect(down.code).toBe(1);
    } finally {
      await rpc.stop();
      await anycable.stop();
    }
  });
});
