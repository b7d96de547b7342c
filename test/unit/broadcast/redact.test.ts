// redactUrl is the one way a broker or database URL reaches a log line: the broadcast adapters'
// start-up and outage logs, and (through the public entry) the call monitor's registry line.
import { describe, expect, it } from "vitest";
import { redactUrl } from "../../../src/broadcast/redact.js";
import { redactUrl as publicRedactUrl } from "../../../src/index.js";

describe("redactUrl", () => {
  it("is the function the public entry exports", () => {
    expect(publicRedactUrl).toBe(redactUrl);
  });

  it("replaces the password of a URL and keeps the rest as given", () => {
    expect(redactUrl("redis://:s3cret@cache:6379/1")).toBe("redis://:***@cache:6379/1");
    expect(redactUrl("rediss://default:s3cret@cache:6380")).toBe("rediss://default:***@cache:6380");
    expect(redactUrl("https://user:s3cret@broadcast.example/_broadcast")).toBe("https://user:***@broadcast.example/_broadcast");
    expect(redactUrl("redis://:pa@ss@cache:6379")).not.toContain("pa");
  });

  it("returns a URL without a password unchanged", () => {
    expect(redactUrl("redis://localhost:6379")).toBe("redis://localhost:6379");
    expect(redactUrl("nats://token-user@n:4222")).toBe("nats://token-user@n:4222");
  });

  it("reads a server written without a scheme, as NATS accepts it", () => {
    expect(redactUrl("127.0.0.1:4222")).toBe("127.0.0.1:4222");
    expect(redactUrl("localhost:4222")).toBe("localhost:4222");
    expect(redactUrl("user:s3cret@nats.internal:4222")).toBe("user:***@nats.internal:4222");
    expect(redactUrl(":s3cret@nats.internal")).toBe(":***@nats.internal");
  });

  it("never shows a string it cannot read as a URL, since a password in it could not be found", () => {
    for (const raw of [
      "redis://:s3cret@cache:notaport",
      "http://user:s3cret@",
      "nats://:s3cret@",
      "redis://:s3cret",
      "not a url s3cret",
      "",
    ]) {
      expect(redactUrl(raw)).toBe("(unparseable URL)");
    }
  });
});
