import type { z } from "zod";
import { Channel, type ChannelClass } from "./channel.js";
import type { Connection } from "./connection.js";
import {
  DefinitionError,
  InvalidActionDataError,
  InvalidParamsError,
  MalformedIdentifierError,
  UnknownActionError,
  UnknownChannelError,
} from "./errors.js";
import { isJsonObject } from "./json-object.js";
import { truncate } from "./truncate.js";
import { isZodSchema } from "../shared/zod-schema.js";

type ActionMethod = (this: Channel<unknown, Connection>, data: unknown) => unknown;

interface Action {
  schema: z.ZodType;
  method: ActionMethod;
}

export interface RegisteredChannel {
  readonly name: string;
  readonly channelClass: ChannelClass;
  readonly actions: ReadonlyMap<string, Action>;
}

export interface ResolvedIdentifier {
  channel: RegisteredChannel;
  params: unknown;
}

export interface ResolvedAction {
  name: string;
  data: unknown;
  method: ActionMethod;
}

const ACTION_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
const MAX_IDENTIFIER_BYTES = 64 * 1024;

// Anything the framework or Object.prototype defines can never be an action, whatever a
// subclass declares: that is what keeps `perform("unsubscribed")` or `perform("constructor")` out.
const RESERVED = new Set<string>([
  ...Object.getOwnPropertyNames(Object.prototype),
  ...Object.getOwnPropertyNames(Channel.prototype),
  "constructor",
  "prototype",
]);

function parseJSON(raw: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(raw) };
  } catch {
    return { ok: false };
  }
}

function describe(error: z.ZodError): string {
  return error.issues.map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message)).join("; ");
}

/** Finds a channel by the client's identifier and an action by the client's data, refusing anything undeclared. */
export class ChannelRegistry {
  readonly #channels = new Map<string, RegisteredChannel>();

  constructor(channels: readonly ChannelClass[] = []) {
    for (const c of channels) this.register(c);
  }

  register(channelClass: ChannelClass): this {
    const name = channelClass.identifier;
    if (!(channelClass.prototype instanceof Channel)) {
      throw new DefinitionError(`${channelClass.name} does not extend Channel`);
    }
    if (typeof name !== "string" || name === "") {
      throw new DefinitionError(`${channelClass.name} needs a static identifier (the "channel" clients subscribe to)`);
    }
    if (this.#channels.has(name)) {
      throw new DefinitionError(
        `Channel identifier "${name}" is registered twice (${this.#channels.get(name)?.channelClass.name} and ${channelClass.name})`,
      );
    }
    const actions = new Map<string, Action>();
    for (const [action, schema] of Object.entries(channelClass.actions)) {
      if (!ACTION_NAME.test(action) || RESERVED.has(action)) {
        throw new DefinitionError(`${channelClass.name} declares "${action}" as an action, but that name is reserved or invalid`);
      }
      const method = findOwnMethod(channelClass, action);
      if (!method) throw new DefinitionError(`${channelClass.name} declares action "${action}" but has no method of that name`);
      // Structural: the application's zod may be another copy than ours.
      if (!isZodSchema(schema)) throw new DefinitionError(`${channelClass.name}.actions.${action} must be a zod schema`);
      actions.set(action, { schema, method });
    }
    this.#channels.set(name, { name, channelClass, actions });
    return this;
  }

  has(name: string): boolean {
    return this.#channels.has(name);
  }

  get names(): string[] {
    return [...this.#channels.keys()];
  }

  /** Parses a raw identifier such as `{"channel":"chat","id":1}` into its channel and validated params. */
  resolve(identifier: string): ResolvedIdentifier {
    if (identifier.length > MAX_IDENTIFIER_BYTES) throw new MalformedIdentifierError("Channel identifier is too long");
    const json = parseJSON(identifier);
    if (!json.ok) throw new MalformedIdentifierError(`Channel identifier is not valid JSON: ${truncate(identifier)}`);
    // The outer shape is checked by hand: it runs on every call, and a zod object schema would
    // copy the object once more before the channel's own schema copies it.
    const value = json.value;
    if (!isJsonObject(value) || typeof value.channel !== "string" || value.channel === "") {
      throw new MalformedIdentifierError(`Channel identifier must be a JSON object with a "channel" string: ${truncate(identifier)}`);
    }
    const { channel: name, ...rest } = value as { channel: string; [key: string]: unknown };
    const channel = this.#channels.get(name);
    if (!channel) throw new UnknownChannelError(`Unknown channel: ${truncate(JSON.stringify(name))}`);
    const schema = channel.channelClass.params;
    if (!schema) return { channel, params: rest };
    const params = schema.safeParse(rest);
    if (!params.success) throw new InvalidParamsError(`Invalid params for channel "${name}": ${describe(params.error)}`);
    return { channel, params: params.data };
  }

  /** Parses a perform's raw data (`{"action":"speak",…}`) into a declared action and its validated data. */
  resolveAction(channel: RegisteredChannel, rawData: string): ResolvedAction {
    const json = parseJSON(rawData);
    if (!json.ok) throw new InvalidActionDataError(`Message data is not valid JSON: ${truncate(rawData)}`);
    const value = json.value;
    if (!isJsonObject(value) || typeof value.action !== "string") {
      throw new InvalidActionDataError(`Message data must be a JSON object with an "action" string`);
    }
    const name = value.action;
    const action = channel.actions.get(name);
    if (!action) throw new UnknownActionError(`Unknown action ${truncate(JSON.stringify(name))} for channel "${channel.name}"`);
    const data = action.schema.safeParse(value);
    if (!data.success) throw new InvalidActionDataError(`Invalid data for ${channel.name}#${name}: ${describe(data.error)}`);
    return { name, data: data.data, method: action.method };
  }
}

/** The action's method as the subclass defines it, never one inherited from Channel or Object. */
function findOwnMethod(channelClass: ChannelClass, name: string): ActionMethod | undefined {
  let proto: object | null = channelClass.prototype;
  while (proto && proto !== Channel.prototype && proto !== Object.prototype) {
    const descriptor = Object.getOwnPropertyDescriptor(proto, name);
    if (descriptor) return typeof descriptor.value === "function" ? (descriptor.value as ActionMethod) : undefined;
    proto = Object.getPrototypeOf(proto) as object | null;
  }
  return undefined;
}
