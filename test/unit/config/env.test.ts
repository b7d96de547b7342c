// Every loader reads its variables through nonEmpty or parseEnv. process.env holds only strings,
// but a loader also takes an env object built by hand, so odd values must be configuration errors.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { envPositiveInt, nonEmpty, parseEnv } from "../../../src/config/env.js";
import { ConfigError } from "../../../src/config/errors.js";
import { loadRpcConfig } from "../../../src/config/rpc-config.js";
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
    expect(nonEmpty({ A: " x " }, "A")).toBe(" x ");
    expect(nonEmpty({ A: " \t" }, "A")).toBeUndefined();
    expect(nonEmpty({ A: "" }, "A")).toBeUndefined();
    expect(nonEmpty({}, "A")).toBeUndefined();
  });

  it.each(oddValues)("refuses %s with a ConfigError naming the variable", (_what, value) => {
    const error = configErrorOf(() => nonEmpty({ ANYCABLE_SECRET: value } as unknown as NodeJS.ProcessEnv, "ANYCABLE_SECRET"));
    expect(error.message).toBe(
      `Invalid environment configuration:\n  ANYCABLE_SECRET: expected text, as every environment variable is, not ${value === null ? "null" : typeof value}`,
    );
  });

  it("reaches the loaders that read a variable on their own", () => {
    expect(configErrorOf(() => loadStreamsConfig({ ANYCABLE_SECRET: 1 } as unknown as NodeJS.ProcessEnv)).message).toContain(
      "ANYCABLE_SECRET: expected text",
    );
    expect(configErrorOf(() => loadJwtConfig({ ANYCABLE_JWT_SECRET: {} } as unknown as NodeJS.ProcessEnv)).message).toContain(
      "ANYCABLE_JWT_SECRET: expected text",
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
