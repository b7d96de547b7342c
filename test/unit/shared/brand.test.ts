// instanceof across copies of the package: a class from another copy carries the same registry
// symbol, and the framework's base classes and errors recognise it by that mark.
import { describe, expect, it } from "vitest";
// The folders' own modules rather than src/index.js, which loads every transport: Stryker re-runs
// this file for every mutant of src/shared (stryker.shared.config.mjs).
import { html, isSafeHtml } from "../../../src/cable-ready/html.js";
import { Channel } from "../../../src/cable/channel.js";
import { Connection } from "../../../src/cable/connection.js";
import { ChannelRefusal, UnauthorizedError, UnknownChannelError } from "../../../src/cable/errors.js";
import { ConfigError, isConfigError } from "../../../src/config/errors.js";
import { hasBrand } from "../../../src/shared/brand.js";

/** What another copy's class looks like from here: unrelated prototypes, the same Symbol.for mark. */
function foreignClass(brand: string) {
  class Foreign {}
  Object.defineProperty(Foreign.prototype, Symbol.for(`anycable-ts.${brand}`), { value: true });
  return class ForeignSubclass extends Foreign {};
}

describe("branded instanceof", () => {
  it("recognises channels, connections and errors of another copy", () => {
    expect(foreignClass("Channel").prototype instanceof Channel).toBe(true);
    expect(foreignClass("Connection").prototype instanceof Connection).toBe(true);
    const ForeignUnauthorized = foreignClass("UnauthorizedError");
    expect(new ForeignUnauthorized() instanceof UnauthorizedError).toBe(true);
    expect(new (foreignClass("ChannelRefusal"))() instanceof ChannelRefusal).toBe(true);
    expect(isConfigError(new (foreignClass("ConfigError"))())).toBe(true);
  });

  it("keeps markup made by another copy as markup, and escapes look-alikes without the mark", () => {
    const ForeignSafeHtml = foreignClass("SafeHtml");
    const foreign = Object.assign(new ForeignSafeHtml(), { toString: () => "<b>bold</b>" });
    expect(isSafeHtml(foreign)).toBe(true);
    expect(html`<p>${foreign as never}</p>`.toString()).toBe("<p><b>bold</b></p>");
    expect(html`<p>${String({ toString: () => "<b>bold</b>" })}</p>`.toString()).toBe("<p>&lt;b&gt;bold&lt;/b&gt;</p>");
  });

  it("keeps the ordinary answer for everything else", () => {
    expect(foreignClass("Connection").prototype instanceof Channel).toBe(false);
    expect({} instanceof Channel).toBe(false);
    expect((null as unknown) instanceof Channel).toBe(false);
    expect((undefined as unknown) instanceof Channel).toBe(false);
    expect(("Channel" as unknown) instanceof Channel).toBe(false);
    expect(isConfigError(undefined)).toBe(false);
    expect(isSafeHtml(undefined)).toBe(false);
    expect(new Error("x") instanceof ChannelRefusal).toBe(false);
    expect(isConfigError(new Error("x"))).toBe(false);
    expect(new ConfigError("x") instanceof ConfigError).toBe(true);
    // Subclasses answer by their prototype chain, as usual.
    expect(new UnknownChannelError("x") instanceof ChannelRefusal).toBe(true);
    expect(new ChannelRefusal("x") instanceof UnknownChannelError).toBe(false);
    class A extends Channel {}
    class B extends Channel {}
    expect(Object.create(B.prototype) instanceof A).toBe(false);
    expect(Object.create(A.prototype) instanceof A).toBe(true);
  });
});

describe("hasBrand", () => {
  const mark = Symbol.for("anycable-ts.Gadget");

  it("reads the mark on any object, a function included", () => {
    expect(hasBrand({ [mark]: true }, "Gadget")).toBe(true);
    expect(
      hasBrand(
        Object.assign(() => undefined, { [mark]: true }),
        "Gadget",
      ),
    ).toBe(true);
    expect(hasBrand(Object.create({ [mark]: true }), "Gadget")).toBe(true);
  });

  it("answers no for a mark that is not exactly true, another brand's mark, or a primitive", () => {
    expect(hasBrand({ [mark]: "true" }, "Gadget")).toBe(false);
    expect(hasBrand({ [mark]: true }, "Widget")).toBe(false);
    expect(hasBrand(() => undefined, "Gadget")).toBe(false);
    for (const value of [undefined, null, 0, "Gadget", true, mark]) expect(hasBrand(value, "Gadget")).toBe(false);
  });
});
