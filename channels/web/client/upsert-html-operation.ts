import CableReady, { Utils, type CableReadyOperation } from "cable_ready";

// Must match channels/feed/upsert-html.ts.
const UPSERT_HTML = "upsertHtml";

/**
 * `upsertHtml({selector, id, html})`: replace the element `#id` inside the container with `html`,
 * or append `html` to the container when there is none yet. A partial transcript is thereby
 * replaced by its next version where it stands, and a page that rendered an event and then
 * receives it again live does not show it twice. Fires Cable Ready's before/after events and
 * honours `cancel`/`delay` like the built-in operations.
 */
export function registerUpsertHtml(): void {
  CableReady.addOperation(UPSERT_HTML, (operation: CableReadyOperation) => {
    Utils.processElements(operation, (container) => {
      Utils.before(container, operation);
      Utils.operate(operation, () => {
        const id = String(operation.id ?? "");
        const template = document.createElement("template");
        template.innerHTML = Utils.safeScalar(operation.html);
        const existing = id === "" ? null : container.querySelector(`#${CSS.escape(id)}`);
        if (existing) existing.replaceWith(template.content);
        else container.append(template.content);
      });
      Utils.after(container, operation);
    });
  });
}
