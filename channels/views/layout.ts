import { html, unsafeHtml, type SafeHtml } from "anycable-ts";
import { STYLES } from "./styles.js";

// Inline, so browsers do not ask for /favicon.ico (a 404 in every page's console otherwise).
const FAVICON =
  "data:image/svg+xml," +
  encodeURIComponent('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle cx="8" cy="8" r="7" fill="#d92d20"/></svg>');

export interface PageShell {
  title: string;
  cableUrl: string;
  /** URL of the bundled client script (with its content hash, for caching). */
  scriptUrl: string;
  /** Extra markup for <head>, e.g. a style highlighting the open call. */
  head?: SafeHtml;
  content: SafeHtml;
}

export function layout(page: PageShell): SafeHtml {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="cable-url" content="${page.cableUrl}">
<title>${page.title}</title>
<link rel="icon" href="${FAVICON}">
<style>${unsafeHtml(STYLES)}</style>
${page.head ?? ""}
<script defer src="${page.scriptUrl}"></script>
</head>
<body>
<header class="topbar">
<a class="brand" href="/"><span>☎</span> Call monitor</a>
<span id="live-status" class="live-status" data-state="connecting" aria-live="polite">Connecting to live updates…</span>
</header>
<p id="connection-banner" class="banner" role="status" hidden></p>
<main class="layout">
${page.content}
</main>
</body>
</html>`;
}
