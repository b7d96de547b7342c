// anycable-ts/testing: test an application's connections and channels in-process.
export {
  createTestCable,
  type TestConnection,
  type TestSubscription,
  type TestCable,
  type TestCableOptions,
  type ConnectOptions,
  type CallResult,
  type CallStatus,
} from "./test-cable.js";
export { RecordingBroadcaster } from "./recording-broadcaster.js";
export { captureLogs, type CapturedLogs, type LogLine } from "./captured-logs.js";
