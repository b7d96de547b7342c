// Before any class declares a rescueFrom handler, callbacks run as they are: no promise is made
// and nothing is caught, so the common case (no handlers at all) pays nothing per RPC call. This
// file must declare no handler itself: the count of declarations is per module instance.
import { describe, expect, it } from "vitest";
import { callRescued } from "../../../src/cable/rescue.js";

describe("callRescued with no handler declared anywhere", () => {
  it("returns what the method returns, called on the receiver with the data, without wrapping it", () => {
    const receiver = { factor: 3 };
    const result = callRescued(
      receiver,
      function (this: typeof receiver, data) {
        return this.factor * (data as number);
      },
      14,
    );
    expect(result).toBe(42);
  });

  it("lets a synchronous throw through at once, not as a rejected promise", () => {
    expect(() =>
      callRescued(
        {},
        () => {
          throw new RangeError("sync");
        },
        undefined,
      ),
    ).toThrow(RangeError);
  });
});
