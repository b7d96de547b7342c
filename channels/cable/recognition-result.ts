import { z } from "anycable-ts";

// A result id becomes part of a DOM id (`event_<id>`) and of a CSS selector, so it is limited to
// characters that need no escaping in either; recogniser ids (counters, UUIDs) fit.
export const RESULT_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

const MAX_TEXT = 10_000;

const transcript = z.object({
  event: z.literal("transcript"),
  id: z.string().regex(RESULT_ID_PATTERN, "a transcript id must be 1-64 letters, digits, '_' or '-'"),
  text: z.string().max(MAX_TEXT),
  final: z.boolean(),
});

// Recogniser failures carry an empty id; they are logged, never shown.
const recognitionError = z.object({
  event: z.literal("error"),
  id: z.string().max(64),
  text: z.string().max(MAX_TEXT),
  final: z.boolean(),
});

export const recognitionResult = z.discriminatedUnion("event", [transcript, recognitionError]);
export type RecognitionResult = z.infer<typeof recognitionResult>;

/** The data of `handle_message`: `{"action":"handle_message","result":{…}}`. */
export const handleMessageData = z.object({ result: recognitionResult });
export type HandleMessageData = z.infer<typeof handleMessageData>;
