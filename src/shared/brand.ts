/**
 * `instanceof` that holds across copies of this package. A user's application may bring its own
 * copy of the framework (installed twice, or the bin from one place serving an app that resolves
 * another), and then `value instanceof Channel` is false for the user's channels although they
 * are channels. A branded class marks its prototype with a registry symbol (`Symbol.for`, the
 * same in every copy) and answers `instanceof` for itself by that mark; its subclasses keep the
 * ordinary prototype check. The mark says what a value claims to be, not a security boundary.
 */
const ordinaryHasInstance = Function.prototype[Symbol.hasInstance];

// hasBrand runs for every value interpolated into html`…` and every operation's markup: a new
// "anycable-ts.<name>" string and a registry lookup each time showed in the call monitor's profile.
const keys = new Map<string, symbol>();

export function brandKey(name: string): symbol {
  let key = keys.get(name);
  if (key === undefined) {
    key = Symbol.for(`anycable-ts.${name}`);
    keys.set(name, key);
  }
  return key;
}

/** Whether `value` (an instance, or a prototype) carries the `name` brand. */
export function hasBrand(value: unknown, name: string): boolean {
  return (
    (typeof value === "object" || typeof value === "function") &&
    value !== null &&
    (value as Record<symbol, unknown>)[brandKey(name)] === true
  );
}

/**
 * Brands `cls` as `name`: instances and subclass prototypes carry the mark, and `x instanceof cls`
 * asks for the mark. Call once, right after the class definition.
 */
export function brand(cls: abstract new (...args: never[]) => unknown, name: string): void {
  const key = brandKey(name);
  Object.defineProperty(cls.prototype, key, { value: true });
  Object.defineProperty(cls, Symbol.hasInstance, {
    value(this: unknown, value: unknown): boolean {
      return this === cls ? hasBrand(value, name) : ordinaryHasInstance.call(this, value);
    },
  });
}
