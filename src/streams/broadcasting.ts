/**
 * Broadcasting names for records, by the rule Action Cable's `broadcasting_for` and Turbo's
 * `stream_name_from` share, so a TypeScript half and a Rails half name the same stream the
 * same way:
 *
 * - an array: each element named by this rule, joined with ":" (nested arrays flatten);
 * - a record with `toGidParam()`: its GlobalID parameter (Rails' `to_gid_param`);
 * - a record with `toParam()`: that (Rails' `to_param`, usually the id);
 * - a string, number, bigint or boolean: its string form; null and undefined: "" (Ruby's
 *   `nil.to_param` inside `Array#join`).
 *
 * `toGidParam` wins over `toParam` when a record has both, as in Rails.
 */

/** A record named by its GlobalID, e.g. `globalIdParam("myapp", "Room", 42)`. */
export interface GlobalIdentifiable {
  toGidParam(): string;
}

/** A record named by its parameter, usually its id. */
export interface Parameterizable {
  toParam(): string | number | bigint;
}

export type Broadcastable =
  string | number | bigint | boolean | null | undefined | GlobalIdentifiable | Parameterizable | readonly Broadcastable[];

const MAX_DEPTH = 16;

function nameOf(value: Broadcastable, depth: number): string {
  if (depth > MAX_DEPTH) throw new TypeError("A broadcasting is nested too deeply");
  if (value === null || value === undefined) return "";
  switch (typeof value) {
    case "string":
      return value;
    case "number":
    case "bigint":
    case "boolean":
      return String(value);
    case "object":
      break;
    default:
      throw new TypeError(`Cannot name a broadcasting from a ${typeof value}`);
  }
  if (Array.isArray(value)) return (value as readonly Broadcastable[]).map((part) => nameOf(part, depth + 1)).join(":");
  const record = value as Partial<GlobalIdentifiable & Parameterizable>;
  if (typeof record.toGidParam === "function") return checked(record.toGidParam(), "toGidParam");
  if (typeof record.toParam === "function") {
    const param = record.toParam();
    if (typeof param === "number" || typeof param === "bigint") return String(param);
    return checked(param, "toParam");
  }
  throw new TypeError("A record in a broadcasting needs a toGidParam() or toParam() method");
}

function checked(value: unknown, method: string): string {
  if (typeof value !== "string") throw new TypeError(`${method}() must return a string`);
  return value;
}

/** The stream name for `value` by the Action Cable / Turbo rule above. */
export function broadcastingFor(value: Broadcastable): string {
  const name = nameOf(value, 0);
  if (name === "") throw new TypeError("A broadcasting name must not be empty");
  return name;
}

/**
 * The GlobalID parameter Rails gives a record (`record.to_gid_param`): the URL-safe base64,
 * without padding, of `gid://<app>/<Model>/<id>`. Use it in `toGidParam()` to share stream
 * names with a Rails application whose GlobalID app name is `app`. Ids are limited to the
 * characters no GlobalID version escapes (letters, digits, `_ . - ~`: integers and UUIDs), since
 * versions differ on escaping the rest; name other records with your own `toGidParam()`.
 */
export function globalIdParam(app: string, model: string, id: string | number | bigint): string {
  if (!/^[a-z0-9-]+$/i.test(app)) throw new TypeError("A GlobalID app name is letters, digits and dashes");
  if (!/^[A-Za-z_][A-Za-z0-9_]*(?:::[A-Za-z_][A-Za-z0-9_]*)*$/.test(model))
    throw new TypeError("A GlobalID model name is a Ruby class name");
  const idText = String(id);
  if (!/^[A-Za-z0-9_.~-]+$/.test(idText)) throw new TypeError("A GlobalID id here is letters, digits and _ . - ~ only");
  return Buffer.from(`gid://${app}/${model}/${idText}`, "utf8").toString("base64url");
}
