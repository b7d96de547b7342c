// protos/rpc.proto as every peer of anycable-go loads it (rpcClientConstructor, rpcServiceDefinition):
// the field names, enums and zero values the handler and the tests rely on.
import { describe, expect, it } from "vitest";
import { rpcClientConstructor, rpcServiceDefinition } from "../../../../src/rpc/grpc/proto.js";
import { Status } from "../../../../src/rpc/messages.js";

type Codec = { requestSerialize(value: object): Buffer; requestDeserialize(bytes: Buffer): unknown } & {
  responseSerialize(value: object): Buffer;
  responseDeserialize(bytes: Buffer): unknown;
};
const definition = () => rpcServiceDefinition() as unknown as Record<"Connect" | "Command" | "Disconnect", Codec>;

describe("protos/rpc.proto", () => {
  it("serves anycable.RPC's three calls", () => {
    expect(Object.keys(definition())).toEqual(["Connect", "Command", "Disconnect"]);
    expect(definition().Connect).toMatchObject({ path: "/anycable.RPC/Connect" });
  });

  it("keeps the proto's snake_case names, reads enums as numbers and fills in every zero value, list and map", () => {
    const { Connect, Command } = definition();
    expect(Connect.responseDeserialize(Connect.responseSerialize({}))).toStrictEqual({
      transmissions: [],
      status: Status.ERROR,
      identifiers: "",
      error_msg: "",
      env: null,
    });
    const reply = Command.responseSerialize({ status: Status.SUCCESS, streams: ["a"], env: { cstate: { k: "v" } } });
    expect(Command.responseDeserialize(reply)).toStrictEqual({
      streams: ["a"],
      transmissions: [],
      stopped_streams: [],
      status: Status.SUCCESS,
      disconnect: false,
      stop_streams: false,
      error_msg: "",
      env: { cstate: { k: "v" }, istate: {} },
      presence: null,
    });
    expect(Command.requestDeserialize(Command.requestSerialize({ connection_identifiers: '{"user":"ann"}' }))).toStrictEqual({
      command: "",
      identifier: "",
      connection_identifiers: '{"user":"ann"}',
      data: "",
      env: null,
    });
  });

  it("loads the proto once", () => {
    expect(rpcClientConstructor()).toBe(rpcClientConstructor());
    expect(rpcServiceDefinition()).toBe(rpcServiceDefinition());
  });
});
