/**
 * A chainable queue of Cable Ready operations, the TypeScript counterpart of the gem's
 * `OperationBuilder`: `operations().append({ selector: "#calls", html }).remove({ selector: "#x" })`.
 *
 * What it does the way the gem does:
 * - the operation name is `camelize(:lower)`-ed (`replace_in_place` -> `replaceInPlace`);
 * - every option key, at any depth, is camelized (`detail.call_sid` -> `detail.callSid`);
 * - an operation without `selector` reuses the previous operation's `selector`, and its `xpath`
 *   when that was set — for every following operation, element-targeting or not.
 * Where it differs: `operation` is the first key of each operation (the gem appends it last;
 * clients read keys by name, so only the byte order changes), keys whose value is `undefined`
 * are left out, and `html` must be a SafeHtml (see html.ts).
 */
import type { BroadcastMeta, Broadcaster } from "../broadcast/broadcaster.js";
import { camelizeKey, deepCamelizeKeys, isFlatCamelEntry } from "./camelize.js";
import { isSafeHtml, type SafeHtml } from "./html.js";
import {
  OPERATION_CATALOGUE,
  OPERATION_NAMES,
  type CommonOptions,
  type OperationName,
  type OperationOptionsMap,
  type TargetOptions,
} from "./operation-catalogue.js";
import { cableReadyPayload, serializePayload, type CableReadyOperation, type CableReadyPayload } from "./payload.js";
import { streamNameFrom, type StreamKey } from "../streams/stream-key.js";

/** Options of an operation registered on the client with `CableReady.addOperation`. */
export type CustomOperationOptions = CommonOptions &
  TargetOptions & {
    /** Any `html` option is markup, so it must be SafeHtml here too. */
    html?: SafeHtml;
    readonly [option: string]: unknown;
  };

/**
 * A method per built-in operation, made from the catalogue: `append(options)` queues `append`
 * with AppendOptions, and returns the builder it was called on (a subclass stays a subclass).
 * Options may be left out only where the operation needs none (`remove()`, `reload()`).
 */
export type OperationMethods = {
  // `keyof typeof` (not OperationName) keeps the mapping homomorphic, so each method shows its entry's doc.
  [N in keyof typeof OPERATION_CATALOGUE]: {} extends OperationOptionsMap[N]
    ? <Self>(this: Self, options?: OperationOptionsMap[N]) => Self
    : <Self>(this: Self, options: OperationOptionsMap[N]) => Self;
};

// The class below gets the methods at run time, right after its declaration.
export interface OperationBuilder extends OperationMethods {}

export class OperationBuilder {
  #operations: CableReadyOperation[] = [];
  #previousSelector: unknown = undefined;
  #previousXpath: unknown = undefined;

  /**
   * Queues an operation by name: a built-in with its typed options, or a custom operation the
   * client registered. The name is camelized, so `replace_in_place` and `replaceInPlace` match.
   */
  operation<N extends OperationName>(name: N, options: OperationOptionsMap[N]): this;
  operation(name: string, options?: CustomOperationOptions): this;
  operation(name: string, options: object = {}): this {
    this.#operations.push(this.#build(name, options));
    return this;
  }

  /** The queued operations as they will go on the wire. */
  get operations(): readonly CableReadyOperation[] {
    return [...this.#operations];
  }

  get size(): number {
    return this.#operations.length;
  }

  toPayload(): CableReadyPayload {
    return cableReadyPayload(this.operations);
  }

  /** `JSON.stringify(builder)` yields the publication data. */
  toJSON(): CableReadyPayload {
    return this.toPayload();
  }

  /** The publication `data`: `{"cableReady":true,"operations":[…],"version":"5.0.6"}`. */
  serialize(): string {
    return serializePayload(this.#operations);
  }

  /** Empties the queue and forgets the selector carried between operations. */
  clear(): this {
    this.#operations = [];
    this.#previousSelector = undefined;
    this.#previousXpath = undefined;
    return this;
  }

  /**
   * Publishes the queued operations to one stream (`"calls"` or compound `["call", sid]`).
   * The queue is kept, so the same operations can go to several streams; nothing is sent when
   * it is empty.
   */
  async broadcastTo(broadcaster: Broadcaster, stream: StreamKey, meta?: BroadcastMeta): Promise<void> {
    const name = streamNameFrom(stream);
    if (this.#operations.length === 0) return;
    await broadcaster.broadcast(name, this.serialize(), meta);
  }

  #build(name: string, options: object): CableReadyOperation {
    if (typeof name !== "string") throw new TypeError("An operation name must be a string");
    const wireName = camelizeKey(name);
    if (wireName.trim() === "") throw new TypeError("An operation name must not be empty");
    if (options === null || typeof options !== "object" || Array.isArray(options)) {
      throw new TypeError(`Options of the ${wireName} operation must be an object`);
    }
    const op: Record<string, unknown> = { operation: wireName };
    copyOptions(options as Record<string, unknown>, op);
    if (op.html !== undefined) op.html = markupOf(op.html, wireName);
    if (op.selector === undefined && this.#previousSelector !== undefined) {
      op.selector = this.#previousSelector;
      if (this.#previousXpath) op.xpath = this.#previousXpath;
    }
    if (op.selector !== undefined) {
      this.#previousSelector = op.selector;
      this.#previousXpath = op.xpath;
    }
    return Object.freeze(op) as CableReadyOperation;
  }
}

for (const name of OPERATION_NAMES) {
  // A computed method name, so stack traces say "append", not "value".
  const { [name]: method } = {
    [name](this: OperationBuilder, options: object = {}): OperationBuilder {
      return this.operation(name, options as CustomOperationOptions);
    },
  };
  Object.defineProperty(OperationBuilder.prototype, name, { value: method, writable: true, configurable: true });
}

/**
 * Copies the options, camelized the gem's way, into the operation: `operation` and undefined
 * values left out, every getter read once. Nearly every operation's options are already flat and
 * camelCase (a selector, an id, the html), and deepCamelizeKeys would return them unchanged:
 * those are copied straight across, without its two copies of the options and an array per key.
 */
function copyOptions(options: Record<string, unknown>, op: Record<string, unknown>): void {
  let keys = Object.keys(options);
  let values: unknown[] = [];
  let flatAndCamel = true;
  for (const key of keys) {
    const value = options[key];
    values.push(value);
    if (flatAndCamel && !isFlatCamelEntry(key, value)) flatAndCamel = false;
  }
  if (!flatAndCamel) {
    // fromEntries defines own properties, as a spread would: a "__proto__" key stays a key.
    const camelized = deepCamelizeKeys(Object.fromEntries(keys.map((key, index) => [key, values[index]]))) as Record<string, unknown>;
    keys = Object.keys(camelized);
    values = keys.map((key) => camelized[key]);
  }
  for (let index = 0; index < keys.length; index++) {
    const key = keys[index] as string;
    const value = values[index];
    // `operation` is the name the client dispatches on; an option must not override it.
    if (key === "operation" || value === undefined) continue;
    op[key] = value;
  }
}

function markupOf(value: unknown, operation: string): string {
  if (isSafeHtml(value)) return value.toString();
  throw new TypeError(
    `The ${operation} operation's html must be SafeHtml, not a ${typeof value}: build it with html\`…\` so interpolated text is escaped, ` +
      "or wrap markup the application itself produced in unsafeHtml(). Plain text belongs in textContent or insertAdjacentText.",
  );
}

/** A new, empty operation queue. */
export function operations(): OperationBuilder {
  return new OperationBuilder();
}
