import { describe, expect, it } from "vitest";
import { html, isSafeHtml, SafeHtml, unsafeHtml } from "../../../src/cable-ready/html.js";

describe("html tagged template", () => {
  it("escapes interpolated text so a hostile script stays text", () => {
    const transcript = `<script>alert("pwned")</script>`;
    expect(html`<p>${transcript}</p>`.toString()).toBe("<p>&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;</p>");
  });

  it("escapes quotes and ampersands so a value cannot break out of an attribute", () => {
    const id = `x" onmouseover="steal()`;
    const title = "Tom's & Jerry's";
    expect(html`<div id="${id}" title='${title}'></div>`.toString()).toBe(
      `<div id="x&quot; onmouseover=&quot;steal()" title='Tom&#39;s &amp; Jerry&#39;s'></div>`,
    );
  });

  it("inserts nested fragments as they are, without escaping them twice", () => {
    const label = html`<span class="label">${"a & b"}</span>`;
    expect(html`<div>${label}</div>`.toString()).toBe(`<div><span class="label">a &amp; b</span></div>`);
  });

  it("joins arrays, escaping text items and keeping fragments", () => {
    const items = ["<1>", "2"].map((text) => html`<li>${text}</li>`);
    expect(html`<ul>${items}</ul>`.toString()).toBe("<ul><li>&lt;1&gt;</li><li>2</li></ul>");
    expect(html`${["<b>", html`<i>ok</i>`, [null, "&"]]}`.toString()).toBe("&lt;b&gt;<i>ok</i>&amp;");
  });

  it("renders null, undefined and false as nothing, and numbers and true as text", () => {
    const missing: string | null | undefined = null;
    expect(html`[${missing}${undefined}${false}]`.toString()).toBe("[]");
    expect(html`${0} ${1.5} ${10n} ${true}`.toString()).toBe("0 1.5 10 true");
  });

  it("keeps the template's own markup, including escapes written in it", () => {
    expect(html`<p class="a">line\n</p>`.toString()).toBe('<p class="a">line\n</p>');
  });

  it("refuses values that would render as [object Object] or as source code", () => {
    const object = { toString: () => "<b>" } as unknown as string;
    expect(() => html`${object}`).toThrow(TypeError);
    const fn = (() => "x") as unknown as string;
    expect(() => html`${fn}`).toThrow(TypeError);
  });

  it("refuses to be called with a plain string or array instead of as a tag", () => {
    const call = html as unknown as (strings: unknown) => SafeHtml;
    expect(() => call("<b>user text</b>")).toThrow(/tagged template/);
    expect(() => call(["<b>user text</b>"])).toThrow(/tagged template/);
  });

  it("serializes to its markup in JSON", () => {
    expect(JSON.stringify({ html: html`<b>${"<"}</b>` })).toBe('{"html":"<b>&lt;</b>"}');
  });
});

describe("unsafeHtml", () => {
  it("marks application-made markup as trusted without escaping it", () => {
    const fragment = unsafeHtml("<b>trusted</b>");
    expect(isSafeHtml(fragment)).toBe(true);
    expect(html`<div>${fragment}</div>`.toString()).toBe("<div><b>trusted</b></div>");
  });

  it("accepts only strings", () => {
    expect(() => unsafeHtml(42 as unknown as string)).toThrow(TypeError);
  });
});

describe("SafeHtml", () => {
  it("cannot be forged from a plain string", () => {
    expect(isSafeHtml("<b>x</b>")).toBe(false);
    expect(isSafeHtml({ toString: () => "<b>x</b>" })).toBe(false);
  });

  it("is immutable", () => {
    expect(Object.isFrozen(html`<b></b>`)).toBe(true);
  });
});

describe("html's refusals say what went wrong", () => {
  const call = html as unknown as (strings: unknown, ...values: unknown[]) => SafeHtml;

  it("names the type it cannot interpolate", () => {
    const object = {} as unknown as string;
    expect(() => html`${object}`).toThrow("html cannot interpolate a object; pass text, a number, or a SafeHtml fragment");
    const fn = (() => "x") as unknown as string;
    expect(() => html`${fn}`).toThrow("html cannot interpolate a function");
  });

  it("refuses a frozen array that is not a template object (no raw strings)", () => {
    expect(() => call(Object.freeze(["<b>user text</b>"]))).toThrow(/tagged template/);
  });

  it("refuses an object that only looks like a template: raw strings but not a frozen array", () => {
    expect(() => call({ raw: ["<b>"], 0: "<b>", length: 1 })).toThrow(/tagged template/);
    expect(() => call(Object.freeze({ raw: ["<b>"], 0: "<b>", length: 1 }))).toThrow(/tagged template/);
    const unfrozen = Object.assign(["<b>"], { raw: ["<b>"] });
    expect(() => call(unfrozen)).toThrow(/tagged template/);
  });

  it("refuses a template whose literal text has an invalid escape sequence instead of writing 'undefined'", () => {
    // A tagged template may contain an escape like \u{zz}: its raw text exists, its cooked text is undefined.
    expect(() => html`<p>\u{zz}</p>`).toThrow("html template contains an invalid escape sequence");
  });

  it("says what unsafeHtml expects", () => {
    expect(() => unsafeHtml(42 as unknown as string)).toThrow("unsafeHtml expects a string of markup");
  });
});
