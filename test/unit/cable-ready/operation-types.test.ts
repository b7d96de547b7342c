// The builder's methods are generated from the catalogue; these pin that an editor still sees
// each one with its own options. The @ts-expect-error lines fail `npm run typecheck` (part of
// `npm test`) the moment a wrong option stops being an error.
import { describe, expect, expectTypeOf, it } from "vitest";
import { html, OperationBuilder, operations, type OperationName, type OperationOptionsMap } from "../../../src/index.js";

type AppendOptions = OperationOptionsMap["append"];
type RemoveOptions = OperationOptionsMap["remove"];

const row = html`<li>CA1</li>`;

describe("types of the generated builder methods", () => {
  it("gives each method its operation's options and returns the builder", () => {
    expectTypeOf(operations().append).parameter(0).toEqualTypeOf<AppendOptions>();
    expectTypeOf(operations().setAttribute).parameter(0).toEqualTypeOf<OperationOptionsMap["setAttribute"]>();
    expectTypeOf(operations().append({ selector: "#calls", html: row })).toEqualTypeOf<OperationBuilder>();
    expectTypeOf<OperationOptionsMap["remove"]>().toHaveProperty("selector");
    expectTypeOf<OperationName>().toEqualTypeOf<keyof OperationOptionsMap>();
  });

  it("refuses wrong, misspelt and missing options", () => {
    const builder = operations();
    const attempts = [
      // @ts-expect-error: html must be SafeHtml (html`…` or unsafeHtml), not a string
      () => builder.append({ selector: "#calls", html: "<li>CA1</li>" }),
      // @ts-expect-error: setAttribute needs a value
      () => builder.setAttribute({ selector: "#c", name: "title" }),
      // @ts-expect-error: a misspelt option
      () => builder.remove({ selecter: "#c" }),
      // @ts-expect-error: append cannot go without options
      () => builder.append(),
      // @ts-expect-error: position is one of four names
      () => builder.insertAdjacentHtml({ selector: "#c", html: row, position: "inside" }),
    ];
    // At run time the same mistakes are caught where they can be: html must be SafeHtml.
    expect(attempts[0]).toThrow(/must be SafeHtml/);
  });

  it("lets options be left out only where the operation needs none", () => {
    expectTypeOf(operations().remove).parameter(0).toEqualTypeOf<RemoveOptions | undefined>();
    expectTypeOf(operations().append).parameter(0).not.toEqualTypeOf<AppendOptions | undefined>();
    expect(operations().remove().reload().setFocus().clearStorage().scrollIntoView().size).toBe(5);
  });

  it("installs them like class methods: named after the operation, not enumerable", () => {
    expect(OperationBuilder.prototype.append.name).toBe("append");
    expect(Object.keys(operations())).toEqual([]);
  });

  it("keeps a subclass's own type through a chain", () => {
    class Audited extends OperationBuilder {
      audited(): string[] {
        return this.operations.map((op) => op.operation);
      }
    }
    const names = new Audited().append({ selector: "#calls", html: row }).remove().audited();
    expectTypeOf(new Audited().remove()).toEqualTypeOf<Audited>();
    expect(names).toEqual(["append", "remove"]);
  });
});
