import type { Cable } from "@anycable/web";

// A broker restart can lose publications while the WebSocket stays up: nothing else would reveal
// a loss at the end of a call, so every container is also reloaded this often.
const PERIOD_MS = 10_000;

type StreamElement = Element & { channel?: { channel?: { state?: string; on?: (event: string, callback: () => void) => unknown } } };

const inFlight = new WeakMap<HTMLElement, Promise<void>>();
const queued = new WeakSet<HTMLElement>();

/**
 * Reloads a container (`data-resync-url`) from the registry. Timelines (`data-seq`) are merged:
 * the registry's order, elements updated live after the snapshot kept as they are, elements the
 * registry no longer has (evicted) kept where they stood. The live-call list is replaced.
 */
export function resync(container: HTMLElement): Promise<void> {
  const running = inFlight.get(container);
  if (running) {
    queued.add(container);
    return running;
  }
  const run = (async () => {
    const url = container.dataset.resyncUrl;
    if (!url) return;
    const response = await fetch(url, { credentials: "same-origin", cache: "no-store" }).catch(() => undefined);
    if (!response?.ok) return;
    const template = document.createElement("template");
    template.innerHTML = await response.text();
    const snapshotSeq = Number(response.headers.get("x-timeline-seq") ?? NaN);
    if (Number.isNaN(snapshotSeq)) {
      container.replaceChildren(template.content);
      return;
    }
    merge(container, template.content, snapshotSeq);
    container.dataset.seq = String(Math.max(snapshotSeq, Number(container.dataset.seq ?? 0) || 0));
  })().finally(() => {
    inFlight.delete(container);
    if (queued.delete(container)) void resync(container);
  });
  inFlight.set(container, run);
  return run;
}

function merge(container: HTMLElement, fresh: DocumentFragment, snapshotSeq: number): void {
  const current = new Map<string, Element>();
  for (const child of container.children) if (child.id) current.set(child.id, child);
  const freshIds = new Set<string>();
  const ordered: Element[] = [];
  for (const element of [...fresh.children]) {
    freshIds.add(element.id);
    const live = current.get(element.id);
    // Updated live after the snapshot was taken: the page's version is newer.
    ordered.push(live && Number((live as HTMLElement).dataset.appliedSeq ?? 0) > snapshotSeq ? live : element);
  }
  const before: Element[] = [];
  const after: Element[] = [];
  let seenFresh = false;
  for (const child of container.children) {
    if (freshIds.has(child.id)) seenFresh = true;
    else (seenFresh ? after : before).push(child);
  }
  container.replaceChildren(...before, ...ordered, ...after);
}

/** Called for each live update carrying a sequence number: a skipped number means something was lost. */
export function noteSequence(container: HTMLElement, element: Element | null, seq: number): void {
  if (element instanceof HTMLElement) element.dataset.appliedSeq = String(seq);
  const last = Number(container.dataset.seq ?? NaN);
  container.dataset.seq = String(Number.isNaN(last) ? seq : Math.max(last, seq));
  if (!Number.isNaN(last) && seq > last + 1) void resync(container);
}

function resyncAll(): void {
  for (const container of document.querySelectorAll<HTMLElement>("[data-resync-url]")) void resync(container);
}

/**
 * Reloads every container when a stream subscription is confirmed (also after a reconnect: what
 * was published before it, since the page was rendered, is then in the registry), and every
 * PERIOD_MS. Together with gap detection a page ends up showing every update, in order.
 */
export function keepInSync(cable: Cable): void {
  const hooked = new WeakSet<Element>();
  const hook = (): void => {
    for (const element of document.querySelectorAll<StreamElement>("cable-ready-stream-from")) {
      const channel = element.channel?.channel;
      if (hooked.has(element) || !channel?.on) continue;
      hooked.add(element);
      channel.on("connect", resyncAll);
      if (channel.state === "connected") resyncAll();
    }
  };
  // Stream elements subscribe when they connect to the DOM, after this script may have run.
  const watcher = setInterval(hook, 100);
  setTimeout(() => clearInterval(watcher), 10_000);
  cable.on("connect", hook);
  setInterval(resyncAll, PERIOD_MS);
}
