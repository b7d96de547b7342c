// rescueFrom's lookup on its own (callRescued, as the dispatcher calls it): which handler takes an
// error, what is rethrown, and what a declaration refuses. channel-features.test.ts covers the
// walk from a channel to its ancestors and to its connection.
import { describe, expect, it } from "vitest";
import { ChannelRefusal } from "../../../src/cable/errors.js";
import { addRescueHandler, callRescued } from "../../../src/cable/rescue.js";

class Receiver {
  seen: string[] = [];
}

function failWith(error: unknown): () => Promise<never> {
  return () => Promise.reject(error);
}

describe("rescue handlers of one class", () => {
  class NotFound extends Error {}
  class Conflict extends Error {}

  // Declared inside each test, never while vitest collects the file: a broken addRescueHandler
  // must fail tests, not the file's collection (which Stryker's Vitest runner does not count).
  function declares(): typeof Receiver {
    class Declares extends Receiver {}
    addRescueHandler(Declares, NotFound, function (this: Receiver, error: NotFound) {
      this.seen.push(`not-found:${error.message}`);
    });
    addRescueHandler(Declares, Conflict, function (this: Receiver, error: Conflict) {
      this.seen.push(`conflict:${error.message}`);
    });
    return Declares;
  }

  it("keeps every declaration: a later one does not replace an earlier one for another error", async () => {
    const receiver = new (declares())();
    await callRescued(receiver, failWith(new NotFound("a")), undefined);
    await callRescued(receiver, failWith(new Conflict("b")), undefined);
    expect(receiver.seen).toEqual(["not-found:a", "conflict:b"]);
  });

  it("tries the most recent matching declaration first", async () => {
    class Layered extends Receiver {}
    addRescueHandler(Layered, Error, function (this: Receiver) {
      this.seen.push("any");
    });
    addRescueHandler(Layered, NotFound, function (this: Receiver) {
      this.seen.push("not-found");
    });
    const receiver = new Layered();
    await callRescued(receiver, failWith(new NotFound("x")), undefined);
    await callRescued(receiver, failWith(new Conflict("y")), undefined);
    expect(receiver.seen).toEqual(["not-found", "any"]);
  });

  it("calls the method on the receiver with the data when it does not throw", async () => {
    const receiver = new (declares())();
    await callRescued(
      receiver,
      function (this: Receiver, data) {
        this.seen.push(`ran:${String(data)}`);
      },
      "payload",
    );
    expect(receiver.seen).toEqual(["ran:payload"]);
  });

  it("rethrows the error itself when neither the receiver nor a fallback is given a handler for it", async () => {
    const original = new RangeError("nobody takes this");
    const Declares = declares();
    await expect(callRescued(new Declares(), failWith(original), undefined)).rejects.toBe(original);
    await expect(callRescued(new Declares(), failWith(original), undefined, new Receiver())).rejects.toBe(original);
  });
});

describe("what rescue handlers are handed", () => {
  it("only Errors: a thrown value that is not one is rethrown, even one carrying an error class's brand", async () => {
    // Handlers are typed to take an Error; a branded class (ChannelRefusal) answers instanceof by
    // its mark alone (shared/brand.ts), so the Error check is what keeps a forged object out.
    class Guarded extends Receiver {}
    addRescueHandler(Guarded, ChannelRefusal, function (this: Receiver) {
      this.seen.push("refusal");
    });
    const forged = { [Symbol.for("anycable-ts.ChannelRefusal")]: true, message: "not an Error" };
    const receiver = new Guarded();
    await expect(callRescued(receiver, failWith(forged), undefined)).rejects.toBe(forged);
    await expect(callRescued(receiver, failWith("a string"), undefined)).rejects.toBe("a string");
    expect(receiver.seen).toEqual([]);
  });
});

describe("addRescueHandler", () => {
  it.each([
    ["null", null],
    ["a string", "Error"],
    ["an object that only looks like an Error class", { prototype: RangeError.prototype }],
    ["a class that is not an Error", class Plain {}],
  ])("refuses %s as the error class", (_, errorClass) => {
    expect(() => addRescueHandler(Receiver, errorClass as never, () => {})).toThrow(new TypeError("rescueFrom needs an Error class"));
  });

  it("accepts Error itself and its subclasses, and refuses a handler that is not a function", () => {
    class Accepting extends Receiver {}
    expect(() => addRescueHandler(Accepting, Error, () => {})).not.toThrow();
    expect(() => addRescueHandler(Accepting, TypeError, () => {})).not.toThrow();
    expect(() => addRescueHandler(Accepting, Error, "handle" as never)).toThrow(new TypeError("rescueFrom needs a handler function"));
  });
});
