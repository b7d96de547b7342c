import type { Hono } from "hono";
import type { ClientBundle } from "../client-bundle.js";

export const CLIENT_SCRIPT_PATH = "/assets/call-monitor.js";

/** The bundled client, from memory. Pages reference it with ?v=<content hash>, so it can be cached for good. */
export function clientAssetRoute(app: Hono, bundle: ClientBundle): void {
  app.get(CLIENT_SCRIPT_PATH, (c) => {
    const versioned = c.req.query("v") === bundle.version;
    c.header("Content-Type", "text/javascript; charset=utf-8");
    c.header("Cache-Control", versioned ? "public, max-age=31536000, immutable" : "no-cache");
    return c.body(new Uint8Array(bundle.code));
  });
}
