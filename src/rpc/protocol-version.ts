import type { CallMetadata } from "./messages.js";

export const PROTOCOL_VERSION = "v1";

/** Like the Ruby server: the client must list our protocol version in `protov`; null when it does. */
export function protocolVersionError(meta: CallMetadata): string | null {
  const supported = meta.protov?.split(",").map((v) => v.trim());
  if (supported?.includes(PROTOCOL_VERSION)) return null;
  return `Incompatible AnyCable RPC client: server speaks ${PROTOCOL_VERSION}, client supports ${meta.protov ?? "unknown"}`;
}
