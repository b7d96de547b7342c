import type { BrowserContext, Page } from "playwright-core";

export const WAIT_MS = 10_000;

export interface DashboardPage {
  readonly page: Page;
  /** Messages of any alert/confirm/prompt the page opened (there must be none). */
  readonly dialogs: string[];
  /** Uncaught exceptions and console errors in the page. */
  readonly errors: string[];
}

export async function openDashboard(context: BrowserContext, url: string): Promise<DashboardPage> {
  const page = await context.newPage();
  const dialogs: string[] = [];
  const errors: string[] = [];
  page.on("dialog", (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  await page.goto(url, { timeout: WAIT_MS });
  return { page, dialogs, errors };
}

/**
 * Resolves once the page's WebSocket is up and every <cable-ready-stream-from> on it has its
 * subscription confirmed by anycable-go; before that, broadcasts would not reach the page.
 */
export async function waitUntilLive(page: Page): Promise<void> {
  await page.waitForFunction(
    () => {
      type StreamElement = Element & { channel?: { channel?: { state?: string } } };
      const elements = [...document.querySelectorAll<StreamElement>("cable-ready-stream-from")];
      return (
        document.documentElement.dataset.cableState === "connected" &&
        elements.length > 0 &&
        elements.every((el) => el.channel?.channel?.state === "connected")
      );
    },
    undefined,
    { timeout: WAIT_MS },
  );
}

/** Waits for the element's text to equal `text` exactly. */
export async function waitForText(page: Page, selector: string, text: string): Promise<void> {
  await page.waitForFunction(([sel, expected]) => document.querySelector(sel ?? "")?.textContent === expected, [selector, text] as const, {
    timeout: WAIT_MS,
  });
}

export function count(page: Page, selector: string): Promise<number> {
  return page.locator(selector).count();
}
