import { z } from "zod";
import type { CommandMessage, ConnectionRequest, DisconnectRequest } from "../messages.js";

/**
 * rpc.proto over HTTP as anycable-go speaks it (rpc/http.go): it encodes the Go protobuf structs
 * with encoding/json, so requests carry the proto field names in snake_case, leave out every
 * zero value (`omitempty`: an empty env, map, list or string is simply absent) and may carry
 * `null`; it decodes our responses the same way, so `status` must be the enum's number and
 * field names snake_case (which the messages already are). Unknown fields are ignored, as
 * encoding/json does, so a newer anycable-go's additions do not break an older server.
 */

/** A field anycable-go leaves out (or sends as null) when it holds the zero value. */
const withDefault = <T extends z.ZodType>(schema: T, zero: () => z.output<T>) =>
  schema.nullish().transform((value): z.output<T> => value ?? zero());

const text = withDefault(z.string(), () => "");
// A fresh map per request: the application may hold on to what it is given.
const stringMap = () => withDefault(z.record(z.string(), z.string()), () => ({}));

const env = z
  .object({ url: text, headers: stringMap(), cstate: stringMap(), istate: stringMap() })
  .nullish()
  .transform((value) => value ?? null);

const connectionRequest = z.object({ env });

const commandMessage = z.object({
  command: text,
  identifier: text,
  connection_identifiers: text,
  data: text,
  env,
});

const disconnectRequest = z.object({
  identifiers: text,
  subscriptions: withDefault(z.array(z.string()), () => []),
  env,
});

/** The three endpoints, by the last segment of the path anycable-go posts to. */
export const HTTP_RPC_METHODS = {
  connect: { name: "Connect", schema: connectionRequest },
  command: { name: "Command", schema: commandMessage },
  disconnect: { name: "Disconnect", schema: disconnectRequest },
} as const;

export type HttpRpcMethod = keyof typeof HTTP_RPC_METHODS;

export type DecodedRequest =
  | { method: "connect"; request: ConnectionRequest }
  | { method: "command"; request: CommandMessage }
  | { method: "disconnect"; request: DisconnectRequest };

export type DecodeResult = { ok: true; decoded: DecodedRequest } | { ok: false; status: 400 | 413 | 422; error: string };

/**
 * Most entries (env map entries and Disconnect subscriptions) a request may carry. A real
 * connection has dozens; validating each entry costs time, so a body of a hundred thousand tiny
 * ones is refused before validation rather than after.
 */
export const DEFAULT_MAX_REQUEST_ENTRIES = 4096;

export function isHttpRpcMethod(name: string): name is HttpRpcMethod {
  return Object.hasOwn(HTTP_RPC_METHODS, name);
}

/** A request body into the message the RPC handler takes, or the HTTP status and reason to refuse it with. */
export function decodeRequest(method: HttpRpcMethod, body: string, maxEntries = DEFAULT_MAX_REQUEST_ENTRIES): DecodeResult {
  const { name, schema } = HTTP_RPC_METHODS[method];
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    return { ok: false, status: 400, error: `Invalid JSON in ${name} request: ${(error as Error).message}` };
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    return { ok: false, status: 422, error: `Invalid ${name} request: expected a JSON object` };
  }
  const entries = entriesOf(json as Record<string, unknown>);
  if (entries > maxEntries) {
    return { ok: false, status: 413, error: `${name} request carries ${entries} entries, over the limit of ${maxEntries}` };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message)).join("; ");
    return { ok: false, status: 422, error: `Invalid ${name} request: ${issues}` };
  }
  return { ok: true, decoded: { method, request: parsed.data } as DecodedRequest };
}

/** Env map entries and subscriptions, counted without validating anything. */
function entriesOf(request: Record<string, unknown>): number {
  let count = Array.isArray(request.subscriptions) ? request.subscriptions.length : 0;
  const env = request.env;
  if (typeof env === "object" && env !== null) {
    for (const key of ["headers", "cstate", "istate"]) {
      const map = (env as Record<string, unknown>)[key];
      if (typeof map === "object" && map !== null) count += Object.keys(map).length;
    }
  }
  return count;
}

/** A response as anycable-go decodes it: the messages are already snake_case with numeric statuses. */
export function encodeResponse(response: object): string {
  return JSON.stringify(response);
}
