/**
 * Channel state keys anycable-go itself reads (its `common` package): the stream a client's
 * `whisper` command is broadcast to, and the stream whose presence set the client's `join`,
 * `leave` and `presence` commands and the RPC `presence` field act on. The framework writes them
 * (`streamFrom(name, { whisper, presence })`, `joinPresence`); applications need not.
 */
export const WHISPER_STREAM_STATE = "$w";
export const PRESENCE_STREAM_STATE = "$p";
