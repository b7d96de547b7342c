/**
 * Identifiers of the channels anycable-go answers itself, for signed stream names made with
 * `signStreamName`: its pub/sub channel (`--streams_secret`) and Turbo Streams
 * (`--turbo_streams`, verified with `--turbo_streams_secret` or the streams secret). Clients
 * usually build these themselves (`cable.streamFromSigned(name)` in @anycable/web, or
 * `<turbo-cable-stream-source signed-stream-name=…>`); the server hands them the signed name.
 */
import { broadcastingFor, type Broadcastable } from "./broadcasting.js";
import { signStreamName } from "./signed-stream-name.js";

export const PUBSUB_CHANNEL = "$pubsub";
export const TURBO_STREAMS_CHANNEL = "Turbo::StreamsChannel";

/** The signed name Turbo's `signed_stream_name(streamables)` makes: record naming by the Action Cable rule. */
export function signTurboStreamName(streamables: Broadcastable, secret: string): string {
  return signStreamName(broadcastingFor(streamables), secret);
}

/** `{"channel":"$pubsub","signed_stream_name":…}`: what a client subscribes with. */
export function pubsubIdentifier(signedStreamName: string): string {
  return JSON.stringify({ channel: PUBSUB_CHANNEL, signed_stream_name: signedStreamName });
}

/** `{"channel":"Turbo::StreamsChannel","signed_stream_name":…}`: what a Turbo stream source subscribes with. */
export function turboStreamsIdentifier(signedStreamName: string): string {
  return JSON.stringify({ channel: TURBO_STREAMS_CHANNEL, signed_stream_name: signedStreamName });
}
