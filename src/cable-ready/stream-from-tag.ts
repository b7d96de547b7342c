/**
 * The element a page embeds to receive a stream's operations:
 * `<cable-ready-stream-from identifier="<signed>"></cable-ready-stream-from>`. The cable_ready
 * client subscribes to `CableReady::Stream` with that identifier when the element connects and
 * unsubscribes when it is removed.
 */
import { html, type SafeHtml } from "./html.js";
import { signStreamName } from "../streams/signed-stream-name.js";
import type { StreamKey } from "../streams/stream-key.js";

export function streamFromTag(name: StreamKey, secret: string): SafeHtml {
  // The signed name is base64 and hex, harmless in an attribute, but it goes through the same
  // escaping as any other value so this never depends on that.
  return html`<cable-ready-stream-from identifier="${signStreamName(name, secret)}"></cable-ready-stream-from>`;
}
