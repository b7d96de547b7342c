import { describe, expect, it } from "vitest";
import { Channel, ChannelRegistry, DefinitionError, z, type ChannelClass } from "../../../src/index.js";
import { brandKey } from "../../../src/shared/brand.js";

function channelWith(actions: Record<string, z.ZodType>, methods: Record<string, () => void> = {}): ChannelClass {
  class Custom extends Channel {
    static override identifier = "custom";
    static override actions = actions;
  }
  for (const [name, fn] of Object.entries(methods)) Object.defineProperty(Custom.prototype, name, { value: fn });
  return Custom;
}

describe("ChannelRegistry.register", () => {
  it.each([
    "subscribed",
    "unsubscribed",
    "constructor",
    "toString",
    "__proto__",
    "transmit",
    "streamFrom",
    "reject",
    "logger",
    "hasOwnProperty",
    "prototype",
  ])("refuses to declare the reserved name %j as an action", (name) => {
    const actions = Object.create(null) as Record<string, z.ZodType>;
    Object.defineProperty(actions, name, { value: z.object({}), enumerable: true });
    const register = () => new ChannelRegistry([channelWith(actions, { [name]: () => {} })]);
    expect(register).toThrow(DefinitionError);
    expect(register).toThrow(`Custom declares ${JSON.stringify(name)} as an action, but that name is reserved or invalid`);
  });

  it("refuses an action without a method of its own", () => {
    expect(() => new ChannelRegistry([channelWith({ speak: z.object({}) })])).toThrow(/no method of that name/);
  });

  it("refuses an action whose name is a property that is not a function", () => {
    class Holder extends Channel {
      static override identifier = "holder";
      static override actions = { speak: z.object({}) };
    }
    Object.defineProperty(Holder.prototype, "speak", { value: "not callable" });
    expect(() => new ChannelRegistry([Holder])).toThrow('Holder declares action "speak" but has no method of that name');
  });

  it("refuses an action schema that is not a zod schema", () => {
    const notZod = { safeParse: () => ({ success: true, data: {} }) } as unknown as z.ZodType;
    const register = () => new ChannelRegistry([channelWith({ speak: notZod }, { speak: () => {} })]);
    expect(register).toThrow(DefinitionError);
    expect(register).toThrow("Custom.actions.speak must be a zod schema");
  });

  it("refuses names that are not identifiers", () => {
    for (const name of ["do-it", "9lives", "_private", "with space"]) {
      const register = () => new ChannelRegistry([channelWith({ [name]: z.object({}) }, { [name]: () => {} })]);
      expect(register).toThrow(DefinitionError);
      expect(register).toThrow(`Custom declares "${name}" as an action, but that name is reserved or invalid`);
    }
  });

  it("refuses a channel without an identifier, a duplicate, or a class that is not a Channel", () => {
    class Nameless extends Channel {}
    expect(() => new ChannelRegistry([Nameless])).toThrow(/static identifier/);
    const a = channelWith({});
    expect(() => new ChannelRegistry([a, a])).toThrow(/registered twice/);
    class NotAChannel {
      static identifier = "x";
      static params = undefined;
      static actions = {};
    }
    expect(() => new ChannelRegistry([NotAChannel as unknown as ChannelClass])).toThrow(/does not extend Channel/);
  });

  it("refuses an identifier that is not a string, as a JavaScript channel may set one", () => {
    for (const identifier of [42, undefined, null]) {
      class Numbered extends Channel {
        static override identifier = identifier as unknown as string;
      }
      const register = () => new ChannelRegistry([Numbered]);
      expect(register, String(identifier)).toThrow(DefinitionError);
      expect(register, String(identifier)).toThrow('Numbered needs a static identifier (the "channel" clients subscribe to)');
    }
  });

  it("refuses, as a definition error, a class that carries the Channel brand but whose prototype chain ends without Channel", () => {
    // The brand (shared/brand.ts) is what `instanceof Channel` asks for across copies of the
    // package; a forged one must still be refused cleanly while looking for the action's method.
    const prototype = Object.create(null) as object;
    Object.defineProperty(prototype, brandKey("Channel"), { value: true });
    const Forged = Object.assign(function Forged() {}, {
      prototype,
      identifier: "forged",
      params: undefined,
      actions: { speak: z.object({}) },
    }) as unknown as ChannelClass;
    const register = () => new ChannelRegistry([Forged]);
    expect(register).toThrow(DefinitionError);
    expect(register).toThrow('Forged declares action "speak" but has no method of that name');
  });

  it("finds actions defined on an intermediate base class but not on Channel itself", () => {
    class Base extends Channel {
      shout(): void {}
    }
    class Leaf extends Base {
      static override identifier = "leaf";
      static override actions = { shout: z.object({}) };
    }
    const registry = new ChannelRegistry([Leaf]);
    const resolved = registry.resolve('{"channel":"leaf"}');
    expect(registry.resolveAction(resolved.channel, '{"action":"shout"}').name).toBe("shout");
  });
});

describe("ChannelRegistry.resolve", () => {
  class Room extends Channel<{ id: number }> {
    static override identifier = "Room";
    static override params = z.object({ id: z.coerce.number().int().positive() });
  }
  const registry = new ChannelRegistry([Room]);

  it("returns the channel and its validated params without the channel key", () => {
    const { channel, params } = registry.resolve('{"channel":"Room","id":"7","extra":true}');
    expect(channel.channelClass).toBe(Room);
    expect(params).toEqual({ id: 7 });
  });

  it("passes params through when the channel declares no schema", () => {
    class Open extends Channel {
      static override identifier = "Open";
    }
    const { params } = new ChannelRegistry([Open]).resolve('{"channel":"Open","a":[1]}');
    expect(params).toEqual({ a: [1] });
  });

  it("refuses an identifier over 64 KiB, and resolves one of exactly 64 KiB", () => {
    expect(() => registry.resolve(JSON.stringify({ channel: "Room", pad: "x".repeat(70_000) }))).toThrow(/too long/);
    const frame = JSON.stringify({ channel: "Room", id: 1, pad: "" });
    const exact = JSON.stringify({ channel: "Room", id: 1, pad: "x".repeat(64 * 1024 - frame.length) });
    expect(exact).toHaveLength(64 * 1024);
    expect(registry.resolve(exact).params).toEqual({ id: 1 });
    expect(() => registry.resolve(exact.replace('"pad":"', '"pad":"x'))).toThrow("Channel identifier is too long");
  });

  it("refuses an identifier whose channel is missing, empty or not a string, saying what it must be", () => {
    for (const identifier of ['{"channel":""}', '{"id":1}', '{"channel":7}', '["Room"]', "null"]) {
      expect(() => registry.resolve(identifier), identifier).toThrow(
        `Channel identifier must be a JSON object with a "channel" string: ${identifier}`,
      );
    }
  });

  it("says which param is invalid, and what, when the params schema refuses them", () => {
    expect(() => registry.resolve('{"channel":"Room","id":"-1"}')).toThrow(/^Invalid params for channel "Room": id: .+/);
    class Picky extends Channel {
      static override identifier = "Picky";
      static override params = z.object({}).refine(() => false, { message: "never good enough" });
    }
    expect(() => new ChannelRegistry([Picky]).resolve('{"channel":"Picky"}')).toThrow(
      'Invalid params for channel "Picky": never good enough',
    );
    class Filtered extends Channel {
      static override identifier = "Filtered";
      static override params = z.object({ filter: z.object({ since: z.number() }), page: z.number() });
    }
    expect(() => new ChannelRegistry([Filtered]).resolve('{"channel":"Filtered","filter":{"since":"x"},"page":"y"}')).toThrow(
      /^Invalid params for channel "Filtered": filter\.since: [^;]+; page: /,
    );
  });
});
