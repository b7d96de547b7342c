// Stream names: broadcasting names for records, signed names for pub/sub, Turbo and Cable Ready.
export { broadcastingFor, globalIdParam, type Broadcastable, type GlobalIdentifiable, type Parameterizable } from "./broadcasting.js";
export { streamNameFrom, type StreamKey, type StreamKeyPart } from "./stream-key.js";
export {
  signStreamName,
  verifyStreamName,
  verifyStreamNameWithReason,
  type StreamVerification,
  type StreamVerificationFailure,
} from "./signed-stream-name.js";
export { PUBSUB_CHANNEL, TURBO_STREAMS_CHANNEL, signTurboStreamName, pubsubIdentifier, turboStreamsIdentifier } from "./pubsub.js";
export { loadStreamsConfig, type StreamsConfig } from "./config.js";
