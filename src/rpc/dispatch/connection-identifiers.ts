import type { ConnectionClass } from "../../cable/connection.js";
import type { Identifiers } from "../../cable/identifiers.js";
import { isJsonObject } from "../../cable/json-object.js";
import { freezeJsonData, ParseCache } from "../../cable/parse-cache.js";
import { truncate } from "../../cable/truncate.js";
import { fail, succeed, type Outcome } from "./outcome.js";
import { ConnectionIdentifiersError } from "./refusals.js";

/** Entries in the cache; each is a few hundred bytes. */
const CACHE_SIZE = 4096;

const NONE = succeed(undefined);

/**
 * Reads back the identifiers string our Connect returned, as anycable-go hands it to every later
 * call, and checks it against the Connection class's schema. It comes with every command: a
 * connection's performs parse it once and share the result; the result is deep-frozen on every
 * path, so one call cannot change what the next one gets.
 */
export class ConnectionIdentifiers {
  readonly #connectionClass: ConnectionClass;
  readonly #parsed = new ParseCache<Identifiers>(CACHE_SIZE);

  constructor(connectionClass: ConnectionClass) {
    this.#connectionClass = connectionClass;
  }

  /**
   * For a subscribe, an unsubscribe or a Disconnect: each comes a few times per connection, so the
   * result is not kept (a cached one is used). In a connection storm every subscribe brings
   * identifiers never seen before: kept, each cost a cache insert and an eviction and held memory
   * for a string that never came back.
   */
  parse(raw: string, where: string): Outcome<Identifiers | undefined> {
    return this.#parse(raw, where, false);
  }

  /** For a perform: a connection's performs (every transcript of a call) share one parse. */
  parseForPerform(raw: string, where: string): Outcome<Identifiers | undefined> {
    return this.#parse(raw, where, true);
  }

  /** The identifiers in `raw`; undefined for "" (a connection that identified itself by nothing). */
  #parse(raw: string, where: string, remember: boolean): Outcome<Identifiers | undefined> {
    if (raw === "") return NONE;
    const cached = this.#parsed.get(raw);
    if (cached !== undefined) return succeed(cached);
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      return fail(new ConnectionIdentifiersError(`Connection identifiers are not valid JSON: ${truncate(raw)}`), where);
    }
    let parsed;
    try {
      parsed = isJsonObject(json) ? this.#connectionClass.identifiers.safeParse(json) : undefined;
    } catch (error) {
      // A schema's own transform threw: the application's bug, reported with its stack.
      return fail(error, where);
    }
    if (!parsed?.success) {
      return fail(
        new ConnectionIdentifiersError(`Connection identifiers do not match ${this.#connectionClass.name}: ${truncate(raw)}`),
        where,
      );
    }
    const identifiers = parsed.data as Identifiers;
    if (freezeJsonData(identifiers) && remember) this.#parsed.set(raw, identifiers);
    return succeed(identifiers);
  }
}
