/**
 * The message a Cable Ready client acts on: `{"cableReady":true,"operations":[…],"version":"5.0.6"}`,
 * sent as the JSON string in a publication's `data`. The client ignores messages without
 * `cableReady: true`; `version` lets it warn about a server/client mismatch.
 */

/** The cable_ready release whose wire format this module speaks. */
export const CABLE_READY_VERSION = "5.0.6";

/** One operation on the wire: its lowerCamel name plus its camelized options. */
export interface CableReadyOperation {
  readonly operation: string;
  readonly [option: string]: unknown;
}

export interface CableReadyPayload {
  readonly cableReady: true;
  readonly operations: readonly CableReadyOperation[];
  readonly version: typeof CABLE_READY_VERSION;
}

export function cableReadyPayload(operations: readonly CableReadyOperation[]): CableReadyPayload {
  // Key order is the gem's: cableReady, operations, version.
  return { cableReady: true, operations, version: CABLE_READY_VERSION };
}

/** The publication `data` string for these operations. */
export function serializePayload(operations: readonly CableReadyOperation[]): string {
  return JSON.stringify(cableReadyPayload(operations));
}
