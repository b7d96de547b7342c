// The parts of a page the live feed keeps current: the Cable Ready stream a page listens to
// (through a signed <cable-ready-stream-from>) and the element the feed's operations target.
// The views render them and feed/call-feed.ts broadcasts to them, both from here.

/** Every dashboard page's list of live calls. */
export const CALLS_STREAM = "calls";
export const CALLS_LIST_ID = "calls";

/** One call's page: its timeline of events. */
export function callStream(sid: string): string {
  return `call_${sid}`;
}
export const TIMELINE_ID = "events";
