import type { ChannelClass } from "../../cable/channel.js";
import { freezeJsonData, ParseCache } from "../../cable/parse-cache.js";
import { ChannelRegistry, type ResolvedAction, type ResolvedIdentifier } from "../../cable/registry.js";
import { fail, succeed, type Outcome } from "./outcome.js";

/** Entries in the perform cache; each is a few hundred bytes. */
const PERFORM_CACHE_SIZE = 4096;

/**
 * Finds the channel a client's identifier names, and the action a perform's data names. Params
 * reach a channel deep-frozen (when plain JSON data) on every path, so no channel can come to rely
 * on changing them.
 */
export class ChannelFinder {
  readonly registry: ChannelRegistry;
  // A subscription's identifier comes back with every perform: parsed once per distinct string.
  readonly #performTargets = new ParseCache<ResolvedIdentifier>(PERFORM_CACHE_SIZE);

  constructor(channels: readonly ChannelClass[]) {
    this.registry = new ChannelRegistry(channels);
  }

  /**
   * For a subscribe, an unsubscribe or a Disconnect: each comes once per subscription, so
   * caching them would hold memory for strings that rarely come back.
   */
  find(identifier: string, where: string): Outcome<ResolvedIdentifier> {
    let resolved: ResolvedIdentifier;
    try {
      resolved = this.registry.resolve(identifier);
    } catch (error) {
      return fail(error, where);
    }
    freezeJsonData(resolved.params);
    return succeed(resolved);
  }

  /** For a perform: cached by the identifier string. */
  findForPerform(identifier: string, where: string): Outcome<ResolvedIdentifier> {
    const cached = this.#performTargets.get(identifier);
    if (cached !== undefined) return succeed(cached);
    let resolved: ResolvedIdentifier;
    try {
      resolved = this.registry.resolve(identifier);
    } catch (error) {
      return fail(error, where);
    }
    // Params a schema turned into something other than JSON data are parsed afresh every time.
    if (freezeJsonData(resolved.params)) this.#performTargets.set(identifier, resolved);
    return succeed(resolved);
  }

  /** The declared action a perform's raw data names, with its validated data. */
  action(resolved: ResolvedIdentifier, data: string, where: string): Outcome<ResolvedAction> {
    try {
      return succeed(this.registry.resolveAction(resolved.channel, data));
    } catch (error) {
      return fail(error, where);
    }
  }
}
