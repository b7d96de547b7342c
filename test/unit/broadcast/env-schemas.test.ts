// The schemas every adapter reads its broker address and subject/key with.
import { describe, expect, it } from "vitest";
import { subjectOrKey, urlWithProtocols } from "../../../src/broadcast/env-schemas.js";

const messageOf = (result: { success: boolean; error?: { issues: Array<{ message: string }> } }) => result.error?.issues[0]?.message;

describe("urlWithProtocols", () => {
  const redisUrl = urlWithProtocols(["redis:", "rediss:"], "redis://localhost:6379");

  it("takes a URL of one of the protocols, trimmed", () => {
    expect(redisUrl.parse(" rediss://cache:6380/1 ")).toBe("rediss://cache:6380/1");
    expect(redisUrl.parse("redis://localhost:6379")).toBe("redis://localhost:6379");
  });

  it("refuses another protocol or what is not a URL, naming the protocols and an example", () => {
    const expected = "expected a redis or rediss URL, e.g. redis://localhost:6379";
    expect(messageOf(redisUrl.safeParse("http://cache:6379"))).toBe(expected);
    expect(messageOf(redisUrl.safeParse("cache:6379"))).toBe(expected);
    expect(messageOf(redisUrl.safeParse("not a url"))).toBe(expected);
  });
});

describe("subjectOrKey", () => {
  it("takes a subject, trimmed", () => {
    expect(subjectOrKey.parse(" __anycable__ ")).toBe("__anycable__");
  });

  it("refuses whitespace inside, which brokers would split the command on", () => {
    for (const value of ["two words", "tab\there", "line\nbreak"]) {
      expect(messageOf(subjectOrKey.safeParse(value))).toBe("must not contain whitespace");
    }
  });
});
