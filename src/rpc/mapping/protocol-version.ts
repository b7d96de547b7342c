import type { CallMetadata } from "../messages.js";

export const PROTOCOL_VERSION = "v1";

/** Like the Ruby server: the client must list our protocol version in `protov`; null when it does. */
export function protocolVersionError(meta: CallMetadata): string | null {
  const protov = meta.protov;
  // anycable-go sends exactly "v1" on every call; the list form is the rare case.
  if (protov === PROTOCOL_VERSION) return null;
  if (protov?.split(",").some((v) => v.trim() === PROTOCOL_VERSION)) return null;
  return `Incompatible AnyCable RPC client: server speaks ${PROTOCOL_VERSION}, client supports ${protov ?? "unknown"}`;
}
