// Cable Ready: building, broadcasting and subscribing to operation streams.
export { CableReady } from "./cable-ready.js";
export { OperationBuilder, operations, type CustomOperationOptions } from "./operations.js";
export * from "./operation-catalogue.js";
export { CABLE_READY_VERSION, cableReadyPayload, serializePayload, type CableReadyOperation, type CableReadyPayload } from "./payload.js";
export { html, unsafeHtml, isSafeHtml, SafeHtml, type HtmlValue } from "./html.js";
export { camelizeKey, deepCamelizeKeys } from "./camelize.js";
export { streamNameFrom, type StreamKey, type StreamKeyPart } from "../streams/stream-key.js";
export {
  signStreamName,
  verifyStreamName,
  verifyStreamNameWithReason,
  type StreamVerification,
  type StreamVerificationFailure,
} from "../streams/signed-stream-name.js";
export { streamFromTag } from "./stream-from-tag.js";
export { loadCableReadyConfig, CABLE_READY_SECRET_VARIABLES, type CableReadyConfig, type CableReadySecretVariable } from "./config.js";
export {
  createCableReadyStreamChannel,
  cableReadyStreamParams,
  CABLE_READY_STREAM_CHANNEL,
  type CableReadyStreamChannelClass,
  type CableReadyStreamParams,
} from "./stream-channel.js";
