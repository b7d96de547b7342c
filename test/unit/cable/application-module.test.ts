// What `anycable-ts serve <module>` reads from an application module: its default export (an
// application or a factory of one), and its `broadcastAdapters` export, checked at load (before
// any variable is read or anything connects) with a ConfigError that names the module, the
// adapter and the problem.
import { describe, expect, it } from "vitest";
import {
  Channel,
  ConfigError,
  Connection,
  defineApplication,
  resolveApplication,
  silentLogger,
  type ApplicationContext,
  defineBroadcastAdapter,
  loadBroadcastConfig,
  resolveBroadcastAdapters,
  z,
} from "../../../src/index.js";
import { auditedHttpAdapter } from "../../fixtures/audited-http-adapter.js";
import { RecordingBroadcaster } from "../../fixtures/recording-broadcaster.js";
import { neverBuiltAdapter } from "../../support/never-built-adapter.js";

const SOURCE = "app.ts";

function refusal(exported: unknown): string {
  try {
    resolveBroadcastAdapters(exported, SOURCE);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("accepted");
}

const valid = { ...neverBuiltAdapter, env: { MINE_URL: z.string().optional() } };

describe("resolveBroadcastAdapters", () => {
  it("is no adapter at all when the module exports none", () => {
    expect(resolveBroadcastAdapters(undefined, SOURCE)).toEqual([]);
  });

  it("hands back the module's adapters, which ANYCABLE_BROADCAST_ADAPTER then selects", () => {
    const adapters = resolveBroadcastAdapters([auditedHttpAdapter, valid], SOURCE);
    expect(adapters).toEqual([auditedHttpAdapter, valid]);
    const config = loadBroadcastConfig({ ANYCABLE_BROADCAST_ADAPTER: "audited-http" }, { adapters });
    expect(config.adapter).toBe("audited-http");
  });

  it("refuses anything but an array, saying how to export one", () => {
    expect(refusal(auditedHttpAdapter)).toBe(
      "app.ts: broadcastAdapters must be an array of adapters made with defineBroadcastAdapter, e.g. export const broadcastAdapters = [myAdapter]",
    );
    expect(refusal("audited-http")).toMatch(/^app\.ts: broadcastAdapters must be an array/);
  });

  it.each([
    ["null", null, "expected an adapter object, got null"],
    ["a string", "nats", "expected an adapter object, got string"],
    ["an array", [valid], "expected an adapter object, got an array"],
    ["a class, not an instance", class Adapter {}, "expected an adapter object, got function"],
    [
      "a name in capitals",
      { ...valid, name: "Mine" },
      'its name "Mine" must be lower case letters, digits, "-" or "_", starting with a letter',
    ],
    ["no name", { ...valid, name: undefined }, "its name undefined must be lower case"],
    ["a blank configKey", { ...valid, configKey: "" }, "its configKey (where its settings are kept) must be a non-empty string"],
    ["env as a list", { ...valid, env: ["MINE_URL"] }, "its env must be an object with a zod schema per variable it reads"],
    ["a variable without a schema", { ...valid, env: { MINE_URL: "http://x" } }, "its env.MINE_URL must be a zod schema"],
    ["no settings", { ...valid, settings: undefined }, "its settings must be a function"],
    ["no transport", { ...valid, createTransport: {} }, "its createTransport must be a function"],
    ["no describe", { ...valid, describe: "mine" }, "its describe must be a function"],
  ])("refuses %s, naming which entry", (_, adapter, problem) => {
    const message = refusal([auditedHttpAdapter, adapter]);
    expect(message.startsWith("app.ts: broadcastAdapters[1] is not a broadcast adapter: ")).toBe(true);
    expect(message).toContain(problem);
  });

  it("refuses clashes with the built-in adapters or between its own, as the module's to fix", () => {
    expect(refusal([{ ...valid, name: "nats", configKey: "mynats" }])).toBe(
      'app.ts: broadcastAdapters: two broadcast adapters are named "nats"',
    );
    expect(refusal([valid, { ...valid, configKey: "other" }])).toBe('app.ts: broadcastAdapters: two broadcast adapters are named "mine"');
    expect(refusal([{ ...valid, configKey: "reconnect" }])).toBe(
      'app.ts: broadcastAdapters: broadcast adapter "mine" cannot keep its settings under "reconnect"',
    );
    expect(refusal([{ ...valid, env: { ANYCABLE_REDIS_URL: z.string() } }])).toMatch(
      /^app\.ts: broadcastAdapters: broadcast adapter "mine" reads ANYCABLE_REDIS_URL with another schema than adapter "redis/,
    );
  });
});

describe("defineBroadcastAdapter", () => {
  it("checks what the compiler cannot see, so plain JavaScript fails at the declaration", () => {
    expect(() => defineBroadcastAdapter({ ...valid, createTransport: undefined as never })).toThrow(
      new TypeError('broadcast adapter "mine": its createTransport must be a function'),
    );
    expect(() => defineBroadcastAdapter(null as never)).toThrow(
      new TypeError("broadcast adapter undefined: expected an adapter object, got null"),
    );
  });
});

describe("resolveApplication", () => {
  class ShopConnection extends Connection {}
  class CartChannel extends Channel {
    static override identifier = "cart";
  }
  const context: ApplicationContext = { env: { SHOP: "acme" }, logger: silentLogger(), broadcaster: new RecordingBroadcaster() };
  const NOT_AN_APPLICATION =
    "app.ts must default-export defineApplication({ connection, channels }) or a function returning it " +
    "(connection: a Connection subclass, channels: Channel subclasses, close: a function if given)";

  it("takes an application as it is exported", async () => {
    const app = defineApplication({ connection: ShopConnection, channels: [CartChannel] });
    await expect(resolveApplication(app, context, SOURCE)).resolves.toBe(app);
    const bare = defineApplication({ channels: [] });
    await expect(resolveApplication(bare, context, SOURCE)).resolves.toBe(bare);
    const closing = defineApplication({ channels: [], close: () => undefined });
    await expect(resolveApplication(closing, context, SOURCE)).resolves.toBe(closing);
  });

  it("calls a factory with the start-up context and takes what it returns or resolves to", async () => {
    const app = defineApplication({ connection: ShopConnection, channels: [CartChannel] });
    const seen: ApplicationContext[] = [];
    await expect(
      resolveApplication(
        (given: ApplicationContext) => {
          seen.push(given);
          return app;
        },
        context,
        SOURCE,
      ),
    ).resolves.toBe(app);
    await expect(resolveApplication(async () => app, context, SOURCE)).resolves.toBe(app);
    expect(seen).toEqual([context]);
  });

  it("takes a connection and channels made with another copy of this package, recognised by their brand", async () => {
    // What another copy's classes look like from here: other prototypes, the same Symbol.for mark.
    const foreign = (brand: string) => {
      class Base {}
      Object.defineProperty(Base.prototype, Symbol.for(`anycable-ts.${brand}`), { value: true });
      return class extends Base {};
    };
    const app = { connection: foreign("Connection"), channels: [foreign("Channel")] };
    await expect(resolveApplication(app, context, SOURCE)).resolves.toBe(app);
  });

  it.each([
    ["nothing", undefined],
    ["null", null],
    ["a string", "app"],
    ["the Connection class itself, which it must not call", Connection],
    ["a Connection subclass, which it must not call", ShopConnection],
    ["a factory returning nothing", () => undefined],
    ["no connection", { channels: [CartChannel] }],
    ["a connection that is not a class", { connection: "ShopConnection", channels: [] }],
    ["a connection class that does not extend Connection", { connection: class Impostor {}, channels: [] }],
    ["no channel list", { connection: ShopConnection }],
    ["channels as an object", { connection: ShopConnection, channels: { cart: CartChannel } }],
    ["a channel that does not extend Channel", { connection: ShopConnection, channels: [CartChannel, class Cart {}] }],
    ["a channel instance", { connection: ShopConnection, channels: [{ prototype: CartChannel.prototype }] }],
    ["a close that is not a function", { connection: ShopConnection, channels: [], close: "later" }],
  ])("refuses %s, saying what the module must export", async (_, exported) => {
    await expect(resolveApplication(exported, context, SOURCE)).rejects.toThrow(new TypeError(NOT_AN_APPLICATION));
  });
});
