// An application's own adapter, written against the public entry only, is selected by
// ANYCABLE_BROADCAST_ADAPTER and driven by the same broadcaster as the built-in ones.
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, expectTypeOf, it } from "vitest";
import { ConfigError, createBroadcaster, defineBroadcastAdapter, loadBroadcastConfig, z } from "../../../src/index.js";
import { captureLogger, neverBuiltAdapter, neverBuiltTransport } from "../../support/index.js";
import { jsonLinesAdapter } from "./support/json-lines-adapter.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "custom-adapter-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("a user-defined broadcast adapter", () => {
  it("is selected by ANYCABLE_BROADCAST_ADAPTER and receives exactly AnyCable's payloads, in order", async () => {
    const file = join(dir, "out.jsonl");
    const config = loadBroadcastConfig(
      { ANYCABLE_BROADCAST_ADAPTER: "JSONL", ANYCABLE_BROADCAST_FILE: file },
      { adapters: [jsonLinesAdapter] },
    );
    expect(config.adapter).toBe("jsonl");
    expect(config.jsonl).toEqual({ path: file });

    const logs = captureLogger();
    const broadcaster = createBroadcaster(config, logs.logger, { settleOn: "delivered" });
    await broadcaster.broadcast("chat:1", { text: "hi" });
    await broadcaster.broadcastMany([{ stream: "a", data: "1" }]);
    await broadcaster.broadcastCommand({ command: "disconnect", payload: { identifier: '{"user":"ann"}', reconnect: false } });
    await broadcaster.close();

    expect((await readFile(file, "utf8")).split("\n")).toEqual([
      '{"stream":"chat:1","data":"{\\"text\\":\\"hi\\"}"}',
      '[{"stream":"a","data":"1"}]',
      '{"command":"disconnect","payload":{"identifier":"{\\"user\\":\\"ann\\"}","reconnect":false}}',
      "",
    ]);
    expect(logs.lines.find((line) => line.msg.startsWith("broadcasting via"))).toMatchObject({
      adapter: "jsonl",
      target: file,
      msg: `broadcasting via JSON lines file at ${file} (one publication per line)`,
    });
  });

  it("is driven by a broadcaster that settles on acceptance unless told otherwise", async () => {
    const file = join(dir, "not-yet", "out.jsonl");
    const config = {
      ...loadBroadcastConfig({ ANYCABLE_BROADCAST_ADAPTER: "jsonl", ANYCABLE_BROADCAST_FILE: file }, { adapters: [jsonLinesAdapter] }),
      reconnect: { minDelayMs: 5, maxDelayMs: 20 },
    };
    const broadcaster = createBroadcaster(config, captureLogger().logger);
    // The folder does not exist yet: the line cannot be written, and the call resolves anyway.
    await broadcaster.broadcast("chat:1", "queued");
    expect(broadcaster.pending).toBe(1);
    await mkdir(join(dir, "not-yet"));
    await broadcaster.close();
    expect(await readFile(file, "utf8")).toBe('{"stream":"chat:1","data":"queued"}\n');
  });

  it("is driven by a broadcaster that settles on delivery when ANYCABLE_BROADCAST_SETTLE_ON=delivered", async () => {
    const file = join(dir, "not-yet", "out.jsonl");
    const config = {
      ...loadBroadcastConfig(
        { ANYCABLE_BROADCAST_ADAPTER: "jsonl", ANYCABLE_BROADCAST_FILE: file, ANYCABLE_BROADCAST_SETTLE_ON: "delivered" },
        { adapters: [jsonLinesAdapter] },
      ),
      reconnect: { minDelayMs: 5, maxDelayMs: 20 },
    };
    const broadcaster = createBroadcaster(config, captureLogger().logger);
    let settled = false;
    const sent = broadcaster.broadcast("chat:1", "held").then(() => (settled = true));
    // The line cannot be written yet, so the call is still waiting after the pump has tried.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(settled).toBe(false);
    await mkdir(join(dir, "not-yet"));
    await sent;
    expect(await readFile(file, "utf8")).toBe('{"stream":"chat:1","data":"held"}\n');
    await broadcaster.close();
  });

  it("keeps its settings typed under its configKey, beside the built-in ones", () => {
    const config = loadBroadcastConfig({}, { adapters: [jsonLinesAdapter] });
    expectTypeOf(config.jsonl).toEqualTypeOf<{ path: string }>();
    expectTypeOf(config.adapter).toEqualTypeOf<"nats" | "redis" | "redisx" | "http" | "jsonl">();
    expect(config.adapter).toBe("nats");
    expect(config.nats.subject).toBe("__anycable__");
    expect(config.jsonl.path).toBe("broadcasts.jsonl");
    // @ts-expect-error: without the adapter the config has no such settings
    expect(loadBroadcastConfig({}).jsonl).toBeUndefined();
  });

  it("is typed from its declaration: settings from its variables, its transport from its settings", () => {
    const typed = defineBroadcastAdapter({
      name: "typed",
      configKey: "typed",
      env: { TYPED_PORT: z.string().transform(Number).default(7) },
      settings: (env) => ({ port: env.TYPED_PORT }),
      createTransport: ({ port }) => {
        expectTypeOf(port).toEqualTypeOf<number>();
        return neverBuiltTransport();
      },
      describe: ({ port }) => `port ${port}`,
    });
    expect(loadBroadcastConfig({ TYPED_PORT: "9" }, { adapters: [typed] }).typed).toEqual({ port: 9 });
    defineBroadcastAdapter({
      ...typed,
      // @ts-expect-error: only the variables it declares
      settings: (env) => ({ port: env.TYPED_PROT }),
    });
    // @ts-expect-error: its transport gets its own settings, not another adapter's
    defineBroadcastAdapter({
      ...typed,
      createTransport: ({ url }: { url: string }) => neverBuiltTransport(),
    });
  });

  it("has its variables checked at start-up with everyone else's, and joins the list of names", () => {
    const attempt = () =>
      loadBroadcastConfig({ ANYCABLE_BROADCAST_ADAPTER: "kafka", ANYCABLE_BROADCAST_FILE: "out.txt" }, { adapters: [jsonLinesAdapter] });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(
      /ANYCABLE_BROADCAST_ADAPTER: unknown broadcast adapter "kafka"; expected one of nats, redis, redisx, http, jsonl\n {2}ANYCABLE_BROADCAST_FILE: expected a path ending in .jsonl/,
    );
  });

  it("cannot be selected when it was not passed", () => {
    expect(() => loadBroadcastConfig({ ANYCABLE_BROADCAST_ADAPTER: "jsonl" })).toThrow(/unknown broadcast adapter "jsonl"/);
  });

  it("is refused when it would take a built-in name, shared settings or another schema for a shared variable", () => {
    const base = neverBuiltAdapter;
    expect(() => loadBroadcastConfig({}, { adapters: [defineBroadcastAdapter({ ...base, name: "http" })] })).toThrow(
      /two broadcast adapters are named "http"/,
    );
    expect(() =>
      loadBroadcastConfig({}, { adapters: [defineBroadcastAdapter({ ...base, name: "mine", configKey: "queueSize" })] }),
    ).toThrow(/cannot keep its settings under "queueSize"/);
    expect(() => loadBroadcastConfig({}, { adapters: [defineBroadcastAdapter({ ...base, name: "mine", configKey: "redis" })] })).toThrow(
      /keeps other settings under "redis"/,
    );
    const secretReader = defineBroadcastAdapter({ ...base, name: "mine", env: { ANYCABLE_SECRET: z.string() } });
    expect(() => loadBroadcastConfig({}, { adapters: [secretReader] })).toThrow(
      /reads ANYCABLE_SECRET with another schema than adapter "http"/,
    );
    const queueSizeReader = defineBroadcastAdapter({ ...base, name: "mine", env: { ANYCABLE_BROADCAST_QUEUE_SIZE: z.string() } });
    expect(() => loadBroadcastConfig({}, { adapters: [queueSizeReader] })).toThrow(
      /reads ANYCABLE_BROADCAST_QUEUE_SIZE with another schema than the broadcaster/,
    );
    expect(() => defineBroadcastAdapter({ ...base, name: "Kafka" })).toThrow(/must be lower case/);
  });
});
