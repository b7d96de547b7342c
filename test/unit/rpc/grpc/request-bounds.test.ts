// requestEntries counts a request's fields from the protobuf wire bytes, before decoding, and
// gives up (undefined, so the decoder reports the bytes) on anything that is not protobuf.
import { describe, expect, it } from "vitest";
import { rpcServiceDefinition } from "../../../../src/rpc/grpc/proto.js";
import { ENV_FIELD, requestEntries } from "../../../../src/rpc/grpc/request-bounds.js";

function serialize(method: string, request: object): Buffer {
  const definition = rpcServiceDefinition() as unknown as Record<string, { requestSerialize: (value: object) => Buffer }>;
  return definition[method]!.requestSerialize(request);
}

/** A field's tag byte: field number and wire type. */
const tag = (field: number, wireType: number) => (field << 3) | wireType;

describe("requestEntries", () => {
  it("counts every top-level field and, inside the env, every field and map entry", () => {
    const env = { url: "u", headers: { a: "1", b: "2" }, cstate: { c: "3" }, istate: { d: "4", e: "5", f: "6" } };
    // env itself + url + 2 headers + 1 cstate + 3 istate
    expect(requestEntries("Connect", serialize("Connect", { env }))).toBe(1 + 1 + 2 + 1 + 3);
    // command, identifier, env + its 7
    expect(requestEntries("Command", serialize("Command", { command: "message", identifier: "x", env }))).toBe(3 + 7);
    // identifiers, 3 subscriptions, env + its 7
    const disconnect = serialize("Disconnect", { identifiers: "{}", subscriptions: ["a", "b", "c"], env });
    expect(requestEntries("Disconnect", disconnect)).toBe(1 + 3 + 1 + 7);
  });

  it("finds the env where each request keeps it", () => {
    expect(ENV_FIELD).toEqual({ Connect: 3, Command: 5, Disconnect: 5 });
    // A length-delimited field that is not the env is skipped whole, not looked into.
    const notEnv = Buffer.from([tag(1, 2), 4, tag(1, 2), 2, 0x61, 0x62]);
    expect(requestEntries("Command", notEnv)).toBe(1);
    expect(requestEntries("Command", Buffer.from([tag(5, 2), 4, tag(1, 2), 2, 0x61, 0x62]))).toBe(2);
    // An unknown method looks into nothing.
    expect(requestEntries("Other", Buffer.from([tag(5, 2), 4, tag(1, 2), 2, 0x61, 0x62]))).toBe(1);
  });

  it("steps over varints, fixed 64- and 32-bit fields", () => {
    // prettier-ignore
    const bytes = Buffer.from([
      tag(1, 0), 0x96, 0x01, // varint 150
      tag(2, 1), 1, 2, 3, 4, 5, 6, 7, 8, // fixed64
      tag(3, 5), 1, 2, 3, 4, // fixed32
      tag(4, 0), 0xff, 0xff, 0xff, 0xff, 0x0f, // varint of 5 bytes (beyond 28 bits of shift)
      tag(5, 0), ...Array<number>(9).fill(0xff), 0x01, // -1 as an int64: the longest varint, 10 bytes
    ]);
    expect(requestEntries("Connect", bytes)).toBe(5);
  });

  it("reads lengths over 28 bits, so a huge declared length is refused, not wrapped", () => {
    // Length 2^28 + 1 as a varint: past the end of a tiny buffer.
    const bytes = Buffer.from([tag(1, 2), 0x81, 0x80, 0x80, 0x80, 0x01, 0x61]);
    expect(requestEntries("Connect", bytes)).toBeUndefined();
    // A multi-byte length that fits: 130 bytes of payload.
    const fits = Buffer.concat([Buffer.from([tag(1, 2), 0x82, 0x01]), Buffer.alloc(130)]);
    expect(requestEntries("Connect", fits)).toBe(1);
  });

  it("keeps a length's fifth and sixth 7-bit groups whole instead of wrapping them in 32 bits", () => {
    // 2^32 declared: or-ing its fifth group into a 32-bit int would read it as 0, a valid empty field.
    expect(requestEntries("Connect", Buffer.from([tag(1, 2), 0x80, 0x80, 0x80, 0x80, 0x10]))).toBeUndefined();
    // 2^35 + 8 declared: a 32-bit shift by 35 is a shift by 3, which would read it as 8 and fit the 8 bytes that follow.
    const wrapsToEight = Buffer.concat([Buffer.from([tag(1, 2), 0x88, 0x80, 0x80, 0x80, 0x80, 0x01]), Buffer.alloc(8)]);
    expect(requestEntries("Connect", wrapsToEight)).toBeUndefined();
  });

  it("skips a field of 2^28 bytes or more whole, as a request limit raised past 256 MiB allows", () => {
    // Only the first 6 bytes are written: the rest is never read, so it need not be filled.
    const huge = Buffer.allocUnsafe(6 + 2 ** 28);
    huge.set([tag(1, 2), 0x80, 0x80, 0x80, 0x80, 0x01]);
    expect(requestEntries("Command", huge)).toBe(1);
  });

  it("refuses a nested length past the end at once instead of walking it", () => {
    // An env declaring 2^56 - 1 bytes: looked into before its length was checked, counting would
    // step through all of them.
    const bytes = Buffer.from([tag(3, 2), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, tag(1, 2), 0]);
    expect(requestEntries("Connect", bytes)).toBeUndefined();
  });

  it("gives up on bytes that are not protobuf", () => {
    const cases: Array<[string, number[]]> = [
      ["a tag cut short", [0x80]],
      ["a varint value cut short", [tag(1, 0), 0x80]],
      ["a varint longer than 64 bits", [tag(1, 0), ...Array<number>(10).fill(0xff), 0x01]],
      ["a length past the end", [tag(1, 2), 5, 0x61]],
      ["a length cut short", [tag(1, 2), 0x80]],
      ["a fixed64 past the end", [tag(1, 1), 1, 2]],
      ["a fixed32 past the end", [tag(1, 5), 1]],
      ["a group (wire type 3)", [tag(1, 3)]],
      ["wire type 7", [tag(1, 7), 0]],
      ["an env that is not protobuf", [tag(3, 2), 1, 0xff]],
    ];
    for (const [label, bytes] of cases) expect(requestEntries("Connect", Buffer.from(bytes)), label).toBeUndefined();
  });

  it("counts nothing in an empty request", () => {
    expect(requestEntries("Connect", Buffer.alloc(0))).toBe(0);
    expect(requestEntries("Connect", Buffer.from([tag(3, 2), 0]))).toBe(1);
  });
});
