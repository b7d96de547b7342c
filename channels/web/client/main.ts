// The dashboard's browser client, bundled by scripts/build-client.ts (esbuild).
import { createConsumer } from "@anycable/web";
import CableReady from "cable_ready";
import { cableOptions } from "./cable-options.js";
import { showConnectionStatus } from "./connection-status.js";
import { localiseTimes } from "./local-times.js";
import { keepInSync } from "./resync.js";
import { registerUpsertHtml } from "./upsert-html-operation.js";

function start(): void {
  // createConsumer reads <meta name="cable-url">; the same URL goes into the status banner.
  const cableUrl = document.querySelector<HTMLMetaElement>('meta[name="cable-url"]')?.content ?? "/cable";
  const consumer = createConsumer(cableOptions());
  showConnectionStatus(consumer.cable, cableUrl);
  registerUpsertHtml();
  // Removing a call that another update already removed is normal here, not worth a console warning.
  CableReady.initialize({ consumer, onMissingElement: "ignore" });
  localiseTimes();
  keepInSync(consumer.cable);
}

start();
