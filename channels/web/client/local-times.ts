const formatter = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });

function localise(root: ParentNode): void {
  for (const element of root.querySelectorAll<HTMLTimeElement>("time[data-local-time]")) {
    const date = new Date(element.dateTime);
    if (Number.isNaN(date.getTime())) continue;
    element.textContent = formatter.format(date);
    element.title = date.toLocaleString();
    element.removeAttribute("data-local-time");
  }
}

/** Shows server-rendered UTC times in the viewer's time zone, including ones that arrive later. */
export function localiseTimes(): void {
  localise(document);
  new MutationObserver(() => localise(document)).observe(document.body, { childList: true, subtree: true });
}
