// What the bridge holds every media stream to, in one place.

/** Largest frame accepted (ws maxPayload). A media frame is ~400 bytes; a start frame with ten parameters a few KiB. */
export const MAX_FRAME_BYTES = 64 * 1024;
/** Largest µ-law payload in one media frame: Twilio sends 160 bytes (20 ms); 1 s is far beyond any real frame. */
export const MAX_MEDIA_PAYLOAD_BYTES = 8000;
/** Audio goes to the recognizer in batches of this many 20 ms frames (100 ms), as the original did. */
export const FRAMES_PER_RECOGNIZER_WRITE = 5;
/** How long a stream may stay open without a start frame. */
export const START_TIMEOUT_MS = 10_000;
/** Performs queued per call while anycable-go is slow (see CallCable). */
export const MAX_QUEUED_PERFORMS = 256;
/** Bound on flushing final results when a stream ends: the recognizer's last words, then the cable. */
export const DEFAULT_FLUSH_TIMEOUT_MS = 5_000;
