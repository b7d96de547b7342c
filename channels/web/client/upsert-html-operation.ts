import CableReady, { Utils, type CableReadyOperation } from "cable_ready";
// The name is the one the feed sends; feed/upsert-html.ts imports nothing but types, so the
// bundle takes only this string from it.
import { UPSERT_HTML_OPERATION } from "../../feed/upsert-html.js";
import { noteSequence } from "./resync.js";

/**
 * `upsertHtml({selector, id, html})`: replace the element `#id` inside the container with `html`,
 * or append `html` to the container when there is none yet. A partial transcript is thereby
 * replaced by its next version where it stands, and a page that rendered an event and then
 * receives it again live does not show it twice. Fires Cable Ready's before/after events and
 * honours `cancel`/`delay` like the built-in operations. A `seq` (the change's number in the
 * container's sequence) lets the page notice a lost update and reload the container.
 */
export function registerUpsertHtml(): void {
  CableReady.addOperation(UPSERT_HTML_OPERATION, (operation: CableReadyOperation) => {
    Utils.processElements(operation, (container) => {
      Utils.before(container, operation);
      Utils.operate(operation, () => {
        const id = String(operation.id ?? "");
        const template = document.createElement("template");
        template.innerHTML = Utils.safeScalar(operation.html);
        const existing = id === "" ? null : container.querySelector(`#${CSS.escape(id)}`);
        const element = template.content.firstElementChild;
        if (existing) existing.replaceWith(template.content);
        else container.append(template.content);
        if (typeof operation.seq === "number" && container instanceof HTMLElement) noteSequence(container, element, operation.seq);
      });
      Utils.after(container, operation);
    });
  });
}
