// ANYCABLE_NATS_SERVERS may carry credentials in its URLs, as anycable-go's Go client accepts them;
// nats.js ignores them, so the transport hands them over as options.
import { describe, expect, it } from "vitest";
import { credentialsFrom } from "../../../src/broadcast/nats.js";

describe("credentials in NATS server URLs", () => {
  it("reads a user and password, percent-decoded", () => {
    expect(credentialsFrom(["nats://ann:p%40ss%3Aword@n1:4222"])).toEqual({ user: "ann", pass: "p@ss:word" });
  });

  it("reads a lone user part as a token", () => {
    expect(credentialsFrom(["tls://s3cr%2Ft@n1:4222"])).toEqual({ token: "s3cr/t" });
  });

  it("takes them from the first server that has any", () => {
    expect(credentialsFrom(["n0:4222", "nats://n1:4222", "nats://bob:pw@n2:4222", "nats://eve:x@n3:4222"])).toEqual({
      user: "bob",
      pass: "pw",
    });
  });

  it("reads them from a server written without a scheme, as nats.js accepts it", () => {
    expect(credentialsFrom(["ann:pw@n1:4222"])).toEqual({ user: "ann", pass: "pw" });
  });

  it("gives none when no URL has any", () => {
    expect(credentialsFrom(["nats://n1:4222", "127.0.0.1:4222"])).toBeUndefined();
  });
});
