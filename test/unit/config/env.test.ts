// Every loader reads its variables through nonEmpty or parseEnv. process.env holds only strings,
// but a loader also takes an env object built by hand, so odd values must be configuration errors.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { envPositiveInt, nonEmpty, parseEnv } from "../../../src/config/env.js";
import { ConfigError } from "../../../src/config/errors.js";
import { loadHttpRpcSecret, loadRpcConfig } from "../../../src/config/rpc-config.js";
import { loadPresenceApiConfig } from "../../../src/presence/presence-api.js";
import { loadStreamsConfig } from "../../../src/streams/config.js";
import { loadJwtConfig } from "../../../src/jwt/config.js";

const oddValues: Array<[string, unknown]> = [
  ["a number", 50051],
  ["a boolean", true],
  ["null", null],
  ["an object", { host: "127.0.0.1" }],
  ["an array", ["a", "b"]],
];

function configErrorOf(load: () => unknown): ConfigError {
  try {
    load();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error("expected a ConfigError, nothing was thrown");
}

describe("nonEmpty", () => {
  it("gives the variable's text, and undefined when it is unset or blank", () => {
    expect(nonEmpty({ A: " x " }, "A", "test")).toBe(" x ");
    expect(nonEmpty({ A: " \t" }, "A", "test")).toBeUndefined();
    expect(nonEmpty({ A: "" }, "A", "test")).toBeUndefined();
    expect(nonEmpty({}, "A", "test")).toBeUndefined();
  });

  it.each(oddValues)("refuses %s with a ConfigError naming the variable and what loads it, as parseEnv's do", (_what, value) => {
    const error = configErrorOf(() => nonEmpty({ ANYCABLE_SECRET: value } as unknown as NodeJS.ProcessEnv, "ANYCABLE_SECRET", "JWT"));
    expect(error.message).toBe(
      `Invalid JWT configuration:\n  ANYCABLE_SECRET: expected text, as every environment variable is, not ${value === null ? "null" : typeof value}`,
    );
  });

  it.each([
    [
      "loadStreamsConfig",
      () => loadStreamsConfig({ ANYCABLE_SECRET: 1 } as never),
      "Invalid signed streams configuration:\n  ANYCABLE_SECRET",
    ],
    ["loadJwtConfig", () => loadJwtConfig({ ANYCABLE_JWT_SECRET: {} } as never), "Invalid JWT configuration:\n  ANYCABLE_JWT_SECRET"],
    [
      "loadPresenceApiConfig",
      () => loadPresenceApiConfig({ ANYCABLE_API_SECRET: true } as never),
      "Invalid presence API configuration:\n  ANYCABLE_API_SECRET",
    ],
    [
      "loadHttpRpcSecret",
      () => loadHttpRpcSecret({ ANYCABLE_SECRET: [] } as never),
      "Invalid HTTP RPC handler configuration:\n  ANYCABLE_SECRET",
    ],
  ])("reaches %s, which reads a variable on its own, and names it", (_loader, load, prefix) => {
    expect(configErrorOf(load).message).toMatch(new RegExp(`^${prefix}: expected text, as every environment variable is, not `));
  });

  it("is what loadPresenceApiConfig's own URL check says too", () => {
    expect(configErrorOf(() => loadPresenceApiConfig({ ANYCABLE_API_URL: "ftp://x" })).message).toBe(
      "Invalid presence API configuration:\n  ANYCABLE_API_URL: expected an http(s) URL",
    );
  });
});

describe("parseEnv", () => {
  const schema = z.object({ NAME: z.string().optional(), COUNT: z.string().regex(/^\d+$/).transform(Number) });

  it("parses the schema's variables, blank ones as unset", () => {
    expect(parseEnv(schema, { NAME: "  ", COUNT: "3", OTHER: "x" }, "test")).toStrictEqual({ NAME: undefined, COUNT: 3 });
  });

  it("lists every variable that is not text in one ConfigError", () => {
    const error = configErrorOf(() => parseEnv(schema, { NAME: 7, COUNT: [3] } as unknown as NodeJS.ProcessEnv, "test"));
    expect(error.message).toBe(
      "Invalid test configuration:\n" +
        "  NAME: expected text, as every environment variable is, not number\n" +
        "  COUNT: expected text, as every environment variable is, not object",
    );
  });

  it("refuses an environment that is not an object at all", () => {
    expect(configErrorOf(() => parseEnv(schema, null as unknown as NodeJS.ProcessEnv, "test")).message).toMatch(
      /^Invalid test configuration:\n {2}\(environment\): /,
    );
  });

  it.each(oddValues)("gives a ConfigError, not a TypeError, for %s in a real loader", (_what, value) => {
    const error = configErrorOf(() => loadRpcConfig({ ANYCABLE_RPC_HOST: value } as unknown as NodeJS.ProcessEnv));
    expect(error.message).toContain("Invalid RPC server configuration:\n  ANYCABLE_RPC_HOST: expected text");
  });
});

describe("envPositiveInt (sizes, counts and timeouts in the environment)", () => {
  it("reads a whole number above zero, surrounding blanks ignored", () => {
    expect(envPositiveInt.parse("60")).toBe(60);
    expect(envPositiveInt.parse(" 4096 ")).toBe(4096);
  });

  it.each(["0", "-1", "1.5", "6a", "a6", "1e3", "0x10", ""])("refuses %j", (text) => {
    expect(envPositiveInt.safeParse(text).success).toBe(false);
  });

  it("says what it expects, under the variable's name", () => {
    expect(() => loadRpcConfig({ ANYCABLE_RPC_SHUTDOWN_TIMEOUT: "soon" })).toThrow(
      new ConfigError("Invalid RPC server configuration:\n  ANYCABLE_RPC_SHUTDOWN_TIMEOUT: expected a positive whole number"),
    );
    expect(loadRpcConfig({ ANYCABLE_RPC_SHUTDOWN_TIMEOUT: " 30 " }).shutdownTimeoutSeconds).toBe(30);
  });
});
