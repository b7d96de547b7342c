/**
 * Markup that is safe to hand to the browser as HTML.
 *
 * Cable Ready inserts an operation's `html` as markup, so anything a caller supplied (a
 * transcript, a phone number) has to be escaped on the way in. The decision here: markup is a
 * distinct type, `SafeHtml`, and the only ways to make one are the `html` tagged template, which
 * escapes every interpolation, and `unsafeHtml()`, whose name is the warning. The operation
 * builder's `html` options accept `SafeHtml` only — a plain string is a type error and, for
 * callers the type checker cannot see (plain JS, `as` casts, parsed input), a runtime TypeError.
 * Accepting `SafeHtml | string` would have made the unescaped path the easy one, which is the
 * mistake this module exists to prevent. Plain text belongs in `textContent`/`insertAdjacentText`.
 */
import escapeHtml from "escape-html";
import { brandKey, hasBrand } from "../shared/brand.js";

/** What may be interpolated into `html`: fragments as-is, text escaped, nothing for null/undefined/false. */
export type HtmlValue = SafeHtml | string | number | bigint | boolean | null | undefined | readonly HtmlValue[];

let wrap: (markup: string) => SafeHtml;

export class SafeHtml {
  readonly #markup: string;

  // Private so that the escaping functions below are the only doors in.
  private constructor(markup: string) {
    this.#markup = markup;
    Object.freeze(this);
  }

  static {
    wrap = (markup) => new SafeHtml(markup);
  }

  toString(): string {
    return this.#markup;
  }

  /** Serializes as the markup string, so a SafeHtml can sit in any JSON payload. */
  toJSON(): string {
    return this.#markup;
  }
}

// Branded, so markup made by another copy of this package (an application's own) is still
// markup here; a brand is set by this module's constructor only, and no JSON can carry one.
Object.defineProperty(SafeHtml.prototype, brandKey("SafeHtml"), { value: true });

export function isSafeHtml(value: unknown): value is SafeHtml {
  return hasBrand(value, "SafeHtml");
}

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return "";
  if (isSafeHtml(value)) return value.toString();
  if (Array.isArray(value)) return value.map((item: HtmlValue) => render(item)).join("");
  switch (typeof value) {
    case "string":
      return escapeHtml(value);
    case "number":
    case "bigint":
    case "boolean":
      return escapeHtml(String(value));
    default:
      // Objects would render as "[object Object]" and functions as their source: always a bug.
      throw new TypeError(`html cannot interpolate a ${typeof value}; pass text, a number, or a SafeHtml fragment`);
  }
}

function isTemplateStrings(value: unknown): value is TemplateStringsArray {
  // Template objects are frozen arrays carrying `raw`; this keeps `html(someString)` or
  // `html([userText])` from slipping caller text in as if it were the template's literal markup.
  return Array.isArray(value) && Object.isFrozen(value) && Array.isArray((value as { raw?: unknown }).raw);
}

/**
 * Tagged template for markup: `html\`<div id="${id}">${text}</div>\``. Interpolated text is
 * escaped for both element content and quoted attribute values (& < > " '); SafeHtml fragments
 * are inserted as they are (never escaped twice); arrays are concatenated item by item.
 */
export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): SafeHtml {
  if (!isTemplateStrings(strings)) throw new TypeError("html must be used as a tagged template: html`<p>${text}</p>`");
  let markup = "";
  for (let index = 0; index < strings.length; index++) {
    const literal = strings[index];
    if (literal === undefined) throw new TypeError("html template contains an invalid escape sequence");
    markup += literal;
    if (index < values.length) markup += render(values[index]);
  }
  return wrap(markup);
}

/**
 * Marks `markup` as trusted, without escaping. Only for markup the application itself produced
 * (a rendered template, a constant); never for anything a caller or user supplied.
 */
export function unsafeHtml(markup: string): SafeHtml {
  if (typeof markup !== "string") throw new TypeError("unsafeHtml expects a string of markup");
  return wrap(markup);
}
