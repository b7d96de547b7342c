// The framework's error classes: their names are what logs, stack traces and an RPC ERROR's
// error_msg ("DefinitionError in Connect: …") show, and refusals share one base class the RPC
// layer tells apart from application exceptions.
import { describe, expect, it } from "vitest";
import {
  ChannelRefusal,
  DefinitionError,
  InvalidActionDataError,
  InvalidParamsError,
  MalformedIdentifierError,
  UnauthorizedError,
  UnknownActionError,
  UnknownChannelError,
} from "../../../src/index.js";

describe("cable errors", () => {
  it.each([
    ["UnauthorizedError", new UnauthorizedError("bad token")],
    ["ChannelRefusal", new ChannelRefusal("bad token")],
    ["UnknownChannelError", new UnknownChannelError("bad token")],
    ["MalformedIdentifierError", new MalformedIdentifierError("bad token")],
    ["InvalidParamsError", new InvalidParamsError("bad token")],
    ["UnknownActionError", new UnknownActionError("bad token")],
    ["InvalidActionDataError", new InvalidActionDataError("bad token")],
    ["DefinitionError", new DefinitionError("bad token")],
  ])("names %s as such in logs and stack traces", (name, error) => {
    expect(error.name).toBe(name);
    expect(String(error)).toBe(`${name}: bad token`);
    expect(error.stack?.startsWith(`${name}: bad token\n`)).toBe(true);
  });

  it("makes every refusal of a client's channel, identifier or action a ChannelRefusal, and nothing else", () => {
    for (const Refusal of [UnknownChannelError, MalformedIdentifierError, InvalidParamsError, UnknownActionError, InvalidActionDataError]) {
      expect(new Refusal("x")).toBeInstanceOf(ChannelRefusal);
    }
    expect(new UnauthorizedError()).not.toBeInstanceOf(ChannelRefusal);
    expect(new DefinitionError("x")).not.toBeInstanceOf(ChannelRefusal);
  });

  it("recognises the errors another copy of this package throws, by their brand", () => {
    // An application that brings its own copy of the framework throws that copy's classes: the RPC
    // layer must still tell a rejection, a refusal and a definition error apart (shared/brand.ts).
    const foreign = (name: string): Error => {
      class Foreign extends Error {}
      Object.defineProperty(Foreign.prototype, Symbol.for(`anycable-ts.${name}`), { value: true });
      return new Foreign("from another copy");
    };
    expect(foreign("UnauthorizedError")).toBeInstanceOf(UnauthorizedError);
    expect(foreign("ChannelRefusal")).toBeInstanceOf(ChannelRefusal);
    expect(foreign("DefinitionError")).toBeInstanceOf(DefinitionError);
    expect(foreign("UnauthorizedError")).not.toBeInstanceOf(ChannelRefusal);
    expect(new Error("plain")).not.toBeInstanceOf(UnauthorizedError);
  });

  it("rejects a connection as unauthorized with a default message", () => {
    expect(new UnauthorizedError().message).toBe("Connection rejected as unauthorized");
  });
});
