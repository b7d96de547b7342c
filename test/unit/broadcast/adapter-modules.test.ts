// Each transport module declares its adapter while it is evaluated, so a wrong declaration (an
// empty name or config key) makes the module itself throw. Importing it afresh inside a test lets
// that failure land on a test rather than on the loading of a test file, where a runner may not
// count it as a failure.
import { describe, expect, it, vi } from "vitest";

const modules = [
  { file: "http.js", exported: "httpAdapter", name: "http", configKey: "http" },
  { file: "nats.js", exported: "natsAdapter", name: "nats", configKey: "nats" },
  { file: "redis.js", exported: "redisAdapter", name: "redis", configKey: "redis" },
  { file: "redisx.js", exported: "redisxAdapter", name: "redisx", configKey: "redis" },
] as const;

describe("the built-in adapter modules, evaluated afresh", () => {
  it.each(modules)("$file declares the $name adapter, configured from config.$configKey", async ({ file, exported, name, configKey }) => {
    vi.resetModules();
    const module = (await import(`../../../src/broadcast/${file}`)) as Record<string, { name: string; configKey: string }>;
    expect(module[exported]).toMatchObject({ name, configKey });
  });
});
