import { describe, expect, it, vi } from "vitest";
import { html, unsafeHtml } from "../../../src/cable-ready/html.js";
import { OPERATION_NAMES, type AppendOptions } from "../../../src/cable-ready/operation-catalogue.js";
import { OperationBuilder, operations, type CustomOperationOptions } from "../../../src/cable-ready/operations.js";
import { camelizeKey } from "../../../src/cable-ready/camelize.js";

// The operations and options listed in the reference (cable_ready 5.0.6), written out here
// rather than derived from the catalogue, so a missing or misspelt operation fails.
const row = html`<div id="call_CA1">CA1</div>`;
const WIRE_SHAPES: readonly { name: string; build: (b: OperationBuilder) => OperationBuilder; wire: Record<string, unknown> }[] = [
  // DOM mutations
  {
    name: "append",
    build: (b) => b.append({ selector: "#calls", html: row, focusSelector: "#f" }),
    wire: { operation: "append", selector: "#calls", html: '<div id="call_CA1">CA1</div>', focusSelector: "#f" },
  },
  {
    name: "prepend",
    build: (b) => b.prepend({ selector: "#calls", html: row }),
    wire: { operation: "prepend", selector: "#calls", html: '<div id="call_CA1">CA1</div>' },
  },
  {
    name: "innerHtml",
    build: (b) => b.innerHtml({ selector: "#c", html: row, selectAll: true }),
    wire: { operation: "innerHtml", selector: "#c", html: '<div id="call_CA1">CA1</div>', selectAll: true },
  },
  {
    name: "outerHtml",
    build: (b) => b.outerHtml({ selector: "#c", html: row }),
    wire: { operation: "outerHtml", selector: "#c", html: '<div id="call_CA1">CA1</div>' },
  },
  {
    name: "replace",
    build: (b) => b.replace({ selector: "//div[1]", xpath: true, html: row }),
    wire: { operation: "replace", selector: "//div[1]", xpath: true, html: '<div id="call_CA1">CA1</div>' },
  },
  {
    name: "insertAdjacentHtml",
    build: (b) => b.insertAdjacentHtml({ selector: "#c", html: row, position: "afterbegin" }),
    wire: { operation: "insertAdjacentHtml", selector: "#c", html: '<div id="call_CA1">CA1</div>', position: "afterbegin" },
  },
  {
    name: "insertAdjacentText",
    build: (b) => b.insertAdjacentText({ selector: "#c", text: "<raw>", position: "beforeend" }),
    wire: { operation: "insertAdjacentText", selector: "#c", text: "<raw>", position: "beforeend" },
  },
  {
    name: "textContent",
    build: (b) => b.textContent({ selector: "#c", text: "<raw & plain>" }),
    wire: { operation: "textContent", selector: "#c", text: "<raw & plain>" },
  },
  {
    name: "graft",
    build: (b) => b.graft({ selector: "#c", parent: "#archive" }),
    wire: { operation: "graft", selector: "#c", parent: "#archive" },
  },
  { name: "remove", build: (b) => b.remove({ selector: "#call_CA1" }), wire: { operation: "remove", selector: "#call_CA1" } },
  {
    name: "morph",
    build: (b) => b.morph({ selector: "#c", html: row, childrenOnly: true, permanentAttributeName: "data-keep" }),
    wire: {
      operation: "morph",
      selector: "#c",
      html: '<div id="call_CA1">CA1</div>',
      childrenOnly: true,
      permanentAttributeName: "data-keep",
    },
  },
  // Element properties
  {
    name: "addCssClass",
    build: (b) => b.addCssClass({ selector: "#c", name: ["live", "new"] }),
    wire: { operation: "addCssClass", selector: "#c", name: ["live", "new"] },
  },
  {
    name: "removeCssClass",
    build: (b) => b.removeCssClass({ selector: "#c", name: "live" }),
    wire: { operation: "removeCssClass", selector: "#c", name: "live" },
  },
  {
    name: "setAttribute",
    build: (b) => b.setAttribute({ selector: "#c", name: "title", value: "x" }),
    wire: { operation: "setAttribute", selector: "#c", name: "title", value: "x" },
  },
  {
    name: "removeAttribute",
    build: (b) => b.removeAttribute({ selector: "#c", name: "title" }),
    wire: { operation: "removeAttribute", selector: "#c", name: "title" },
  },
  {
    name: "setDatasetProperty",
    build: (b) => b.setDatasetProperty({ selector: "#c", name: "callSid", value: "CA1" }),
    wire: { operation: "setDatasetProperty", selector: "#c", name: "callSid", value: "CA1" },
  },
  {
    name: "setProperty",
    build: (b) => b.setProperty({ selector: "#c", name: "hidden", value: true }),
    wire: { operation: "setProperty", selector: "#c", name: "hidden", value: true },
  },
  {
    name: "setStyle",
    build: (b) => b.setStyle({ selector: "#c", name: "color", value: "red" }),
    wire: { operation: "setStyle", selector: "#c", name: "color", value: "red" },
  },
  {
    name: "setStyles",
    build: (b) => b.setStyles({ selector: "#c", styles: { background_color: "red", fontSize: "2em" } }),
    wire: { operation: "setStyles", selector: "#c", styles: { backgroundColor: "red", fontSize: "2em" } },
  },
  { name: "setValue", build: (b) => b.setValue({ selector: "#c", value: 3 }), wire: { operation: "setValue", selector: "#c", value: 3 } },
  // Events and meta
  {
    name: "dispatchEvent",
    build: (b) => b.dispatchEvent({ selector: "#c", name: "call:ended", detail: { call_sid: "CA1" } }),
    wire: { operation: "dispatchEvent", selector: "#c", name: "call:ended", detail: { callSid: "CA1" } },
  },
  {
    name: "setMeta",
    build: (b) => b.setMeta({ name: "calls-count", content: "3" }),
    wire: { operation: "setMeta", name: "calls-count", content: "3" },
  },
  // Browser manipulation
  { name: "clearStorage", build: (b) => b.clearStorage({ type: "session" }), wire: { operation: "clearStorage", type: "session" } },
  {
    name: "setStorageItem",
    build: (b) => b.setStorageItem({ key: "k", value: "v", type: "local" }),
    wire: { operation: "setStorageItem", key: "k", value: "v", type: "local" },
  },
  {
    name: "removeStorageItem",
    build: (b) => b.removeStorageItem({ key: "k", type: "session" }),
    wire: { operation: "removeStorageItem", key: "k", type: "session" },
  },
  { name: "go", build: (b) => b.go({ delta: -1 }), wire: { operation: "go", delta: -1 } },
  {
    name: "pushState",
    build: (b) => b.pushState({ url: "/calls/CA1", title: "Call", state: { call_sid: "CA1" } }),
    wire: { operation: "pushState", url: "/calls/CA1", title: "Call", state: { callSid: "CA1" } },
  },
  {
    name: "replaceState",
    build: (b) => b.replaceState({ url: "/calls", title: "Calls", state: {} }),
    wire: { operation: "replaceState", url: "/calls", title: "Calls", state: {} },
  },
  {
    name: "redirectTo",
    build: (b) => b.redirectTo({ url: "/calls", action: "replace", turbo: false }),
    wire: { operation: "redirectTo", url: "/calls", action: "replace", turbo: false },
  },
  { name: "reload", build: (b) => b.reload(), wire: { operation: "reload" } },
  {
    name: "scrollIntoView",
    build: (b) => b.scrollIntoView({ selector: "#c", behavior: "smooth", block: "end", inline: "nearest" }),
    wire: { operation: "scrollIntoView", selector: "#c", behavior: "smooth", block: "end", inline: "nearest" },
  },
  {
    name: "setCookie",
    build: (b) => b.setCookie({ cookie: "seen=1; path=/" }),
    wire: { operation: "setCookie", cookie: "seen=1; path=/" },
  },
  { name: "setFocus", build: (b) => b.setFocus({ selector: "#search" }), wire: { operation: "setFocus", selector: "#search" } },
  { name: "setTitle", build: (b) => b.setTitle({ title: "3 live calls" }), wire: { operation: "setTitle", title: "3 live calls" } },
  // Notifications
  {
    name: "consoleLog",
    build: (b) => b.consoleLog({ message: "hi", level: "warn" }),
    wire: { operation: "consoleLog", message: "hi", level: "warn" },
  },
  {
    name: "consoleTable",
    build: (b) => b.consoleTable({ data: [{ call_sid: "CA1" }], columns: ["callSid"] }),
    wire: { operation: "consoleTable", data: [{ callSid: "CA1" }], columns: ["callSid"] },
  },
  {
    name: "notification",
    build: (b) => b.notification({ title: "Call", options: { body: "started", require_interaction: true } }),
    wire: { operation: "notification", title: "Call", options: { body: "started", requireInteraction: true } },
  },
];

// The gem's default operation names (CableReady::Config#default_operation_names).
const GEM_DEFAULT_OPERATION_NAMES = [
  "add_css_class",
  "append",
  "clear_storage",
  "console_log",
  "console_table",
  "dispatch_event",
  "go",
  "graft",
  "inner_html",
  "insert_adjacent_html",
  "insert_adjacent_text",
  "morph",
  "notification",
  "outer_html",
  "prepend",
  "push_state",
  "redirect_to",
  "reload",
  "remove",
  "remove_attribute",
  "remove_css_class",
  "remove_storage_item",
  "replace",
  "replace_state",
  "scroll_into_view",
  "set_attribute",
  "set_cookie",
  "set_dataset_property",
  "set_focus",
  "set_meta",
  "set_property",
  "set_storage_item",
  "set_style",
  "set_styles",
  "set_title",
  "set_value",
  "text_content",
];

describe("operation catalogue", () => {
  it("covers exactly the gem's default operations, under their camelized names", () => {
    expect([...OPERATION_NAMES].sort()).toEqual(GEM_DEFAULT_OPERATION_NAMES.map(camelizeKey).sort());
    expect(WIRE_SHAPES.map((shape) => shape.name).sort()).toEqual([...OPERATION_NAMES].sort());
  });

  it("offers a builder method named after every operation", () => {
    const builder = operations() as unknown as Record<string, unknown>;
    for (const name of OPERATION_NAMES) expect(typeof builder[name], name).toBe("function");
  });
});

describe("every operation's wire shape", () => {
  it.each(WIRE_SHAPES.map((shape) => [shape.name, shape] as const))("%s", (_name, { build, wire }) => {
    const ops = build(operations()).operations;
    expect(ops).toEqual([wire]);
    // The operation name leads, then the options in the order given.
    expect(Object.keys(ops[0] ?? {})).toEqual(Object.keys(wire));
  });

  it("accepts the common options batch, cancel and delay on any operation", () => {
    const [op] = operations().reload({ batch: "b1", cancel: false, delay: 250 }).operations;
    expect(op).toEqual({ operation: "reload", batch: "b1", cancel: false, delay: 250 });
  });

  it("leaves out options whose value is undefined", () => {
    const [op] = operations().remove({ selector: "#x", focusSelector: undefined }).operations;
    expect(op).toEqual({ operation: "remove", selector: "#x" });
    expect(Object.keys(op ?? {})).toEqual(["operation", "selector"]);
  });
});

describe("deep camelization of options", () => {
  it("camelizes option keys at every depth, as the gem's deep_transform_keys does", () => {
    const options = {
      selector: "#c",
      name: "x",
      detail: { call_sid: "CA1", speaker_info: { display_name: "A" }, turns: [{ is_final: true }] },
    };
    const [op] = operations().dispatchEvent(options).operations;
    expect(op).toEqual({
      operation: "dispatchEvent",
      selector: "#c",
      name: "x",
      detail: { callSid: "CA1", speakerInfo: { displayName: "A" }, turns: [{ isFinal: true }] },
    });
  });

  it("camelizes snake_case top-level keys from untyped callers", () => {
    const untyped = { selector: "#c", html: row, focus_selector: "#f", select_all: true } as unknown as AppendOptions;
    const [op] = operations().append(untyped).operations;
    expect(op).toEqual({ operation: "append", selector: "#c", html: '<div id="call_CA1">CA1</div>', focusSelector: "#f", selectAll: true });
  });

  it("reads each option once, whether the options are flat camelCase or need camelizing", () => {
    for (const extra of [{}, { focus_selector: "#f" }, { detail: { call_sid: "CA1" } }]) {
      let reads = 0;
      const options = {
        get selector() {
          reads += 1;
          return "#c";
        },
        ...extra,
      };
      const [op] = operations().operation("flash", options as unknown as CustomOperationOptions).operations;
      expect(reads).toBe(1);
      expect(op?.selector).toBe("#c");
    }
  });

  it("copies own enumerable string keys only, in order, from plain objects and class instances alike", () => {
    class Options {
      selector = "#c";
      id = "x";
    }
    Object.defineProperty(Options.prototype, "inherited", { value: "no", enumerable: true });
    const hidden = Object.defineProperty({ selector: "#d" }, "hidden", { value: "no", enumerable: false });
    const withSymbol = { selector: "#e", [Symbol("s")]: "no" };
    const ops = operations()
      .operation("flash", new Options() as unknown as CustomOperationOptions)
      .operation("flash", hidden)
      .operation("flash", withSymbol as CustomOperationOptions)
      .operation("flash", { select_all: true, selector: "#f", [Symbol("s")]: "no" } as unknown as CustomOperationOptions).operations;
    expect(ops.map((op) => Object.keys(op))).toEqual([
      ["operation", "selector", "id"],
      ["operation", "selector"],
      ["operation", "selector"],
      ["operation", "selectAll", "selector"],
    ]);
    expect(ops.map((op) => Object.getOwnPropertySymbols(op).length)).toEqual([0, 0, 0, 0]);
  });

  it("keeps a __proto__ option a key, never the operation's prototype", () => {
    const options = JSON.parse('{"selector":"#c","__proto__":{"polluted":true}}') as CustomOperationOptions;
    const [op] = operations().operation("flash", options).operations;
    expect(Object.getPrototypeOf(op)).toBe(Object.prototype);
    expect((op as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("camelizes options whose keys all need renaming, with no camelCase key among them", () => {
    const [op] = operations().operation("flash", {
      focus_selector: "#f",
      select_all: true,
    } as unknown as CustomOperationOptions).operations;
    expect(op).toStrictEqual({ operation: "flash", focusSelector: "#f", selectAll: true });
  });

  it("does not change values, only keys", () => {
    const [op] = operations().setStyles({ selector: "#c", styles: { border_width: "snake_case_value" } }).operations;
    expect(op?.styles).toEqual({ borderWidth: "snake_case_value" });
  });
});

describe("selector carry-over", () => {
  it("gives an operation without a selector the previous operation's selector", () => {
    const ops = operations()
      .addCssClass({ selector: "#call_CA1", name: "ended" })
      .setAttribute({ name: "title", value: "ended" }).operations;
    expect(ops[1]).toEqual({ operation: "setAttribute", name: "title", value: "ended", selector: "#call_CA1" });
  });

  it("carries xpath along with an XPath selector", () => {
    const ops = operations().remove({ selector: "//li[1]", xpath: true }).setFocus().operations;
    expect(ops[1]).toEqual({ operation: "setFocus", selector: "//li[1]", xpath: true });
  });

  it("stops carrying xpath once an operation names a CSS selector of its own", () => {
    const ops = operations().remove({ selector: "//li[1]", xpath: true }).remove({ selector: "#x" }).setFocus().operations;
    expect(ops[2]).toEqual({ operation: "setFocus", selector: "#x" });
  });

  it("carries the most recent selector forward through several operations", () => {
    const ops = operations().remove({ selector: "#a" }).setFocus().remove({ selector: "#b" }).setFocus().setFocus().operations;
    expect(ops.map((op) => op.selector)).toEqual(["#a", "#a", "#b", "#b", "#b"]);
  });

  it("applies to every following operation, as the gem does, not only element operations", () => {
    const ops = operations()
      .innerHtml({ selector: "#count", html: html`3` })
      .consoleLog({ message: "updated" }).operations;
    expect(ops[1]).toEqual({ operation: "consoleLog", message: "updated", selector: "#count" });
  });

  it("does not invent a selector before any operation had one", () => {
    const [op] = operations().setTitle({ title: "t" }).operations;
    expect(op).toEqual({ operation: "setTitle", title: "t" });
    expect(op).not.toHaveProperty("selector");
  });

  it("puts the carried selector after the operation's own options, like the gem", () => {
    const data = operations().remove({ selector: "#a" }).setAttribute({ name: "n", value: "v" }).serialize();
    expect(data).toContain('{"operation":"setAttribute","name":"n","value":"v","selector":"#a"}');
  });

  it("carries no xpath key when the operation it carries the selector from had none, or had xpath: false", () => {
    const css = operations().remove({ selector: "#a" }).setFocus().operations;
    expect(css[1]).toStrictEqual({ operation: "setFocus", selector: "#a" });
    const notXpath = operations().remove({ selector: "#a", xpath: false }).setFocus().operations;
    expect(notXpath[1]).toStrictEqual({ operation: "setFocus", selector: "#a" });
    expect(JSON.parse(operations().remove({ selector: "#a", xpath: false }).setFocus().serialize()).operations[1]).toStrictEqual({
      operation: "setFocus",
      selector: "#a",
    });
  });

  it("forgets the selector when the builder is cleared", () => {
    const builder = operations().remove({ selector: "#a" });
    builder.clear().setFocus();
    expect(builder.operations).toEqual([{ operation: "setFocus" }]);
  });
});

describe("custom operations", () => {
  it("queues an operation by name, camelizing the name like the built-ins", () => {
    const ops = operations()
      .operation("replace_in_place", { selector: "#c", call_state: { is_live: true } })
      .operation("highlightRow", { selector: "#d" }).operations;
    expect(ops).toEqual([
      { operation: "replaceInPlace", selector: "#c", callState: { isLive: true } },
      { operation: "highlightRow", selector: "#d" },
    ]);
  });

  it("takes part in selector carry-over", () => {
    const ops = operations().remove({ selector: "#a" }).operation("flash").operations;
    expect(ops[1]).toEqual({ operation: "flash", selector: "#a" });
  });

  it("queues a built-in by name with its typed options", () => {
    expect(operations().operation("append", { selector: "#c", html: row }).operations).toEqual(
      operations().append({ selector: "#c", html: row }).operations,
    );
  });

  it("requires SafeHtml for a custom operation's html option as well", () => {
    const untyped = { html: "<b>caller text</b>" } as unknown as { html: never };
    expect(() => operations().operation("swapIn", untyped)).toThrow(TypeError);
    expect(operations().operation("swapIn", { html: html`<b>${"<"}</b>` }).operations[0]).toEqual({
      operation: "swapIn",
      html: "<b>&lt;</b>",
    });
  });

  it("says why it refuses a name or options", () => {
    expect(() => operations().operation(7 as unknown as string)).toThrow("An operation name must be a string");
    expect(() => operations().operation(null as unknown as string)).toThrow("An operation name must be a string");
    expect(() => operations().operation(" ")).toThrow("An operation name must not be empty");
    for (const options of [null, "selector", [], 5]) {
      expect(() => operations().operation("x_y", options as unknown as CustomOperationOptions)).toThrow(
        "Options of the xY operation must be an object",
      );
    }
  });

  it("refuses an empty or non-string name and non-object options", () => {
    expect(() => operations().operation("")).toThrow(TypeError);
    expect(() => operations().operation("   ")).toThrow(TypeError);
    expect(() => operations().operation(7 as unknown as string)).toThrow(TypeError);
    expect(() => operations().operation("x", "selector" as unknown as CustomOperationOptions)).toThrow(TypeError);
    expect(() => operations().operation("x", [] as unknown as CustomOperationOptions)).toThrow(TypeError);
  });

  it("never lets an option override the operation name the client dispatches on", () => {
    const [op] = operations().operation("flash", { operation: "redirectTo", Operation: "reload" }).operations;
    expect(op).toEqual({ operation: "flash" });
  });
});

describe("html options", () => {
  it("sends SafeHtml as its markup string", () => {
    const [op] = operations().append({ selector: "#events", html: html`<div>${"<script>x</script>"}</div>` }).operations;
    expect(op?.html).toBe("<div>&lt;script&gt;x&lt;/script&gt;</div>");
  });

  it("refuses a plain string for html in the type system and at run time", () => {
    const builder = operations();
    // @ts-expect-error a caller's raw text is not markup
    expect(() => builder.append({ selector: "#c", html: "<img src=x onerror=alert(1)>" })).toThrow(TypeError);
    expect(() => builder.innerHtml({ selector: "#c", html: "<b>" } as unknown as AppendOptions)).toThrow(/SafeHtml/);
    expect(() => builder.morph({ selector: "#c", html: { toString: () => "<b>" } } as unknown as AppendOptions)).toThrow(/html`/);
    expect(builder.size).toBe(0);
  });

  it("tells the caller both ways to make markup, and where plain text belongs", () => {
    const untyped = { selector: "#c", html: "<b>" } as unknown as AppendOptions;
    expect(() => operations().append(untyped)).toThrow(
      "The append operation's html must be SafeHtml, not a string: build it with html`…` so interpolated text is escaped, " +
        "or wrap markup the application itself produced in unsafeHtml(). Plain text belongs in textContent or insertAdjacentText.",
    );
  });

  it("accepts unsafeHtml as the deliberate way to send trusted markup", () => {
    const [op] = operations().replace({ selector: "#c", html: unsafeHtml("<b>trusted</b>") }).operations;
    expect(op?.html).toBe("<b>trusted</b>");
  });
});

describe("payload", () => {
  it("is exactly {cableReady, operations, version} as a JSON string", () => {
    const sid = "CA1";
    const builder = operations()
      .append({ selector: "#calls", html: html`<div id="call_${sid}"><a href="/calls/${sid}">${sid}</a></div>` })
      .remove({ selector: "#call_CA0" });
    const expected =
      '{"cableReady":true,"operations":[' +
      '{"operation":"append","selector":"#calls","html":"<div id=\\"call_CA1\\"><a href=\\"/calls/CA1\\">CA1</a></div>"},' +
      '{"operation":"remove","selector":"#call_CA0"}' +
      '],"version":"5.0.6"}';
    expect(builder.serialize()).toBe(expected);
    expect(JSON.stringify(builder)).toBe(expected);
    expect(builder.toPayload()).toEqual(JSON.parse(expected));
  });

  it("hands out copies: the queue cannot be edited from outside", () => {
    const builder = operations().reload();
    const ops = builder.operations as unknown[];
    ops.push({ operation: "go" });
    expect(builder.size).toBe(1);
    expect(Object.isFrozen(builder.operations[0])).toBe(true);
  });
});

describe("the generated operation methods", () => {
  it("are writable and configurable like class methods, so an application can wrap or spy on one", () => {
    for (const name of OPERATION_NAMES) {
      expect(Object.getOwnPropertyDescriptor(OperationBuilder.prototype, name)).toMatchObject({
        writable: true,
        enumerable: false,
        configurable: true,
      });
    }
    const spy = vi.spyOn(OperationBuilder.prototype, "remove");
    try {
      const builder = operations().remove({ selector: "#a" });
      expect(spy).toHaveBeenCalledWith({ selector: "#a" });
      expect(builder.size).toBe(1);
    } finally {
      spy.mockRestore();
    }
  });
});
