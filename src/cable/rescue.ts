/**
 * `rescueFrom`, as ActiveSupport::Rescuable gives Action Cable: a class maps error classes to
 * handlers; when a callback or action throws, the most recently declared handler whose error
 * class matches runs on the same instance, walking from the class up to its ancestors. A
 * handled error is a normal outcome (what the handler transmitted is sent); an unhandled one
 * keeps the RPC layer's ERROR behaviour. `UnauthorizedError` is control flow, never rescued.
 */
import { UnauthorizedError } from "./errors.js";

export type ErrorClass<E extends Error = Error> = abstract new (...args: never[]) => E;

export type RescueHandler<T, E extends Error> = (this: T, error: E) => void | Promise<void>;

interface Entry {
  errorClass: ErrorClass;
  handler: (error: Error) => void | Promise<void>;
}

// Per class, only the handlers it declared itself; lookups walk the prototype chain.
const declared = new WeakMap<object, Entry[]>();
// Until any class declares a handler, callbacks run without the extra async frame.
let declarations = 0;

export function addRescueHandler(owner: object, errorClass: ErrorClass, handler: (error: never) => void | Promise<void>): void {
  if (typeof errorClass !== "function" || !(errorClass.prototype instanceof Error || errorClass === Error)) {
    throw new TypeError("rescueFrom needs an Error class");
  }
  if (typeof handler !== "function") throw new TypeError("rescueFrom needs a handler function");
  let entries = declared.get(owner);
  if (!entries) declared.set(owner, (entries = []));
  entries.push({ errorClass, handler: handler as Entry["handler"] });
  declarations++;
}

function findHandler(owner: object, error: unknown): Entry["handler"] | undefined {
  if (!(error instanceof Error) || error instanceof UnauthorizedError) return undefined;
  for (let cls: object | null = owner; cls !== null && cls !== Function.prototype; cls = Object.getPrototypeOf(cls) as object | null) {
    const entries = declared.get(cls);
    if (!entries) continue;
    for (let i = entries.length - 1; i >= 0; i--) {
      const entry = entries[i] as Entry;
      if (error instanceof entry.errorClass) return entry.handler;
    }
  }
  return undefined;
}

/**
 * Calls `method` on `receiver` with `data`; when it throws, hands the error to the receiver's
 * handlers, then to `fallback`'s (a channel's connection). Rethrows when none takes it, or when
 * the handler throws. Called once per RPC callback, so it allocates nothing until some class
 * has declared a handler.
 */
export function callRescued<R extends object>(
  receiver: R,
  method: (this: R, data: unknown) => unknown,
  data: unknown,
  fallback?: object,
): unknown {
  return declarations === 0 ? method.call(receiver, data) : rescued(receiver, method, data, fallback);
}

async function rescued<R extends object>(
  receiver: R,
  method: (this: R, data: unknown) => unknown,
  data: unknown,
  fallback: object | undefined,
): Promise<void> {
  try {
    await method.call(receiver, data);
  } catch (error) {
    for (const target of fallback === undefined ? [receiver] : [receiver, fallback]) {
      const handler = findHandler(target.constructor, error);
      if (handler) {
        await handler.call(target, error as Error);
        return;
      }
    }
    throw error;
  }
}
