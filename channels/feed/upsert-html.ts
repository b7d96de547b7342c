import type { OperationBuilder, SafeHtml } from "anycable-ts";

/**
 * The one custom Cable Ready operation this app sends, registered in the browser by
 * web/client/upsert-html-operation.ts: replace the element with `id` inside `selector` if it is
 * there, else append `html` to it. Cable Ready has no such operation; `append` would duplicate a
 * partial transcript and `outerHtml` does nothing for an element that is not there yet. The
 * browser bundle takes this name from here: this file imports types only, nothing that runs.
 */
export const UPSERT_HTML_OPERATION = "upsertHtml";

/**
 * `seq`, when known, is the change's number in the container's sequence (CallRegistry's
 * RecordOutcome.seq): the page notices a gap and reloads the container from the registry.
 */
export function upsertHtml(queue: OperationBuilder, container: string, id: string, html: SafeHtml, seq?: number): OperationBuilder {
  return queue.operation(UPSERT_HTML_OPERATION, { selector: container, id, html, ...(seq === undefined ? {} : { seq }) });
}
