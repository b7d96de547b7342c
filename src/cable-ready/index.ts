// Cable Ready: building, broadcasting and subscribing to operation streams. Stream names
// (signed or not) are src/streams' and reach the public entry from there.
export { CableReady } from "./cable-ready.js";
export { OperationBuilder, operations, type CustomOperationOptions } from "./operations.js";
export * from "./operation-catalogue.js";
export { CABLE_READY_VERSION, cableReadyPayload, serializePayload, type CableReadyOperation, type CableReadyPayload } from "./payload.js";
export { html, unsafeHtml, isSafeHtml, SafeHtml, type HtmlValue } from "./html.js";
export { camelizeKey, deepCamelizeKeys } from "./camelize.js";
export { streamFromTag } from "./stream-from-tag.js";
export { loadCableReadyConfig, CABLE_READY_SECRET_VARIABLES, type CableReadyConfig, type CableReadySecretVariable } from "./config.js";
export {
  createCableReadyStreamChannel,
  cableReadyStreamParams,
  CABLE_READY_STREAM_CHANNEL,
  type CableReadyStreamChannelClass,
  type CableReadyStreamParams,
} from "./stream-channel.js";
