// Type-level pins (checked by `tsc --noEmit`, the first step of `npm test`): a channel whose action
// methods do not accept what their schemas produce does not compile where it is registered.
import { describe, expect, it } from "vitest";
import { Channel, ChannelRegistry, defineApplication, z } from "../../../src/index.js";

class Matching extends Channel {
  static override identifier = "matching";
  static override actions = { speak: z.object({ text: z.string() }), ping: z.object({}) };
  speak(data: { text: string }): void {
    void data;
  }
  // A method may ignore its data.
  ping(): void {}
}

class WrongType extends Channel {
  static override identifier = "wrong-type";
  static override actions = { speak: z.object({ text: z.string() }) };
  speak(data: { text: number }): void {
    void data;
  }
}

class WantsMore extends Channel {
  static override identifier = "wants-more";
  static override actions = { speak: z.object({ text: z.string() }) };
  speak(data: { text: string; room: string }): void {
    void data;
  }
}

class NoMethod extends Channel {
  static override identifier = "no-method";
  static override actions = { speak: z.object({ text: z.string() }) };
}

class Transformed extends Channel {
  static override identifier = "transformed";
  // The method receives the schema's output, after transforms.
  static override actions = { count: z.object({ n: z.string().transform(Number) }) };
  count(data: { n: number }): void {
    void data;
  }
}

describe("typed actions", () => {
  it("accepts channels whose methods take what their schemas produce", () => {
    const app = defineApplication({ channels: [Matching, Transformed] });
    expect(app.channels).toEqual([Matching, Transformed]);
  });

  it("refuses, at compile time, a method whose parameter has another type", () => {
    // @ts-expect-error speak(data: { text: number }) cannot take z.object({ text: z.string() })'s output
    const app = defineApplication({ channels: [Matching, WrongType] });
    expect(app.channels).toHaveLength(2);
  });

  it("refuses, at compile time, a declared action without a method (the registry refuses it at run time too)", () => {
    // @ts-expect-error NoMethod declares speak but has no speak()
    const app = defineApplication({ channels: [NoMethod] });
    expect(() => new ChannelRegistry(app.channels)).toThrow(/declares action "speak" but has no method of that name/);
  });

  it("refuses, at compile time, a method that needs more than its schema gives", () => {
    // @ts-expect-error speak needs a room its schema never provides
    const app = defineApplication({ channels: [WantsMore] });
    expect(app.channels).toHaveLength(1);
  });
});
