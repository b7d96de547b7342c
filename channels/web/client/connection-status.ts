import type { Cable } from "@anycable/web";

type State = "connecting" | "connected" | "disconnected" | "closed";

/**
 * Tells the viewer whether the page is live. While the WebSocket is down the page still shows
 * what it had, so a stale page must not pass for a live one: a banner says updates are paused,
 * and after a reconnect it says the page is catching up (resync.ts reloads it from the registry).
 */
export function showConnectionStatus(cable: Cable, cableUrl: string): void {
  const pill = document.getElementById("live-status");
  const banner = document.getElementById("connection-banner");
  let wasDown = false;

  const show = (state: State, pillText: string, bannerText: string | undefined): void => {
    document.documentElement.dataset.cableState = state;
    if (pill) {
      pill.dataset.state = state;
      pill.textContent = pillText;
    }
    if (banner) {
      banner.hidden = bannerText === undefined;
      banner.textContent = bannerText ?? "";
    }
  };

  cable.on("connect", () => {
    show("connected", "Live", wasDown ? "Back online — catching up on what was sent meanwhile." : undefined);
  });
  cable.on("disconnect", () => {
    wasDown = true;
    show("disconnected", "Offline", `Live updates paused — reconnecting to ${cableUrl}…`);
  });
  cable.on("close", () => {
    wasDown = true;
    show("closed", "Offline", `Live updates stopped — the server at ${cableUrl} closed the connection. Reload the page to try again.`);
  });
}
