import { describe, expect, it } from "vitest";
import { callStartedEvent, statusEvent, transcriptEvent } from "../../../../channels/calls/call-event.js";
import { callEventHtml } from "../../../../channels/views/call-event-html.js";

const AT = 1_700_000_000_000;
const ASCII = /^[\x20-\x7e]*$/;

describe("callEventHtml", () => {
  it("labels a transcript final or partial, the dot written as an entity", () => {
    expect(String(callEventHtml(transcriptEvent("r1", "hello", true, AT)))).toContain(
      '<span class="event-label">transcript &middot; final</span>',
    );
    expect(String(callEventHtml(transcriptEvent("r1", "hel", false, AT)))).toContain(
      '<span class="event-label">transcript &middot; partial</span>',
    );
  });

  it("renders nothing of its own outside ASCII, so an update of ASCII text stays ASCII on the wire", () => {
    for (const event of [
      callStartedEvent(AT),
      transcriptEvent("r1", "hello", true, AT),
      transcriptEvent("r2", "hel", false, AT),
      statusEvent("completed", "The call ended", AT),
    ]) {
      expect(String(callEventHtml(event))).toMatch(ASCII);
    }
  });

  it("escapes the text it shows, whatever the recogniser heard", () => {
    const html = String(callEventHtml(transcriptEvent("r3", `<img src=x onerror="alert(1)"> café`, true, AT)));
    expect(html).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt; café");
    expect(html).not.toContain("<img");
  });
});
