// What one RPC call produced, as the RPC layer reads it to build the response: a fresh output asks
// anycable-go for nothing (no transmission, no stream started or stopped, no disconnect, no
// presence change), and transmissions are the exact frames the client will receive.
import { describe, expect, it } from "vitest";
import { CallOutput } from "../../../src/cable/call-output.js";

describe("CallOutput", () => {
  it("asks for nothing until the application does something", () => {
    const output = new CallOutput();
    expect({ ...output }).toEqual({
      transmissions: [],
      streams: [],
      stoppedStreams: [],
      stopAllStreams: false,
      disconnect: false,
      presence: undefined,
    });
  });

  it("transmits a string as it is and anything else as its JSON", () => {
    const output = new CallOutput();
    output.transmit('{"already":"encoded"}');
    output.transmit({ message: "hi", n: 1 });
    output.transmit(["a", null]);
    expect(output.transmissions).toEqual(['{"already":"encoded"}', '{"message":"hi","n":1}', '["a",null]']);
  });
});
