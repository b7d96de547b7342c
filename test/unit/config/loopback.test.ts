import { describe, expect, it } from "vitest";
import { isLoopbackHost } from "../../../src/config/loopback.js";

describe("isLoopbackHost", () => {
  it.each(["localhost:50051", "LocalHost:50051", "127.0.0.1:50051", "127.10.20.30:8080", "[::1]:50051", "::1:50051"])(
    "keeps %s on this machine",
    (hostPort) => {
      expect(isLoopbackHost(hostPort)).toBe(true);
    },
  );

  it.each([
    "0.0.0.0:50051",
    "[::]:50051",
    "10.0.0.5:50051",
    "rpc.internal:50051",
    // Names that only start or end like a loopback address resolve wherever their DNS says.
    "127.0.0.1.example.com:50051",
    "x127.0.0.1:50051",
    "localhost.example.com:50051",
    "mylocalhost:50051",
    "[::1]x:50051",
    "x[::1]:50051",
    "local[host:50051",
    "local]host:50051",
  ])("counts %s as reachable from outside", (hostPort) => {
    expect(isLoopbackHost(hostPort)).toBe(false);
  });
});
