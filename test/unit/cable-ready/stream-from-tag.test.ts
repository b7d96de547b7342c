import { describe, expect, it } from "vitest";
import { html, isSafeHtml } from "../../../src/cable-ready/html.js";
import { streamFromTag } from "../../../src/cable-ready/stream-from-tag.js";
import { verifyStreamName } from "../../../src/streams/signed-stream-name.js";

// Signed with Node's crypto as the gem's MessageVerifier signs them (see test/unit/streams).
const CALLS = "ImNhbGxzIg==--02cff6b8c0c54acfea9a067689a8d0cec0d814cef7152af26f517d4b035b1f17";
const CALL_CA123 = "ImNhbGw6Q0ExMjMi--a1bc4bdacd5fa9f7a181391a10e5915fd03c3467088ce67e49cfd0c1bee73b1e";

describe("streamFromTag", () => {
  it("renders the element the cable_ready client subscribes from, with the signed name", () => {
    expect(streamFromTag("calls", "secret").toString()).toBe(`<cable-ready-stream-from identifier="${CALLS}"></cable-ready-stream-from>`);
    expect(streamFromTag(["call", "CA123"], "secret").toString()).toBe(
      `<cable-ready-stream-from identifier="${CALL_CA123}"></cable-ready-stream-from>`,
    );
  });

  it("produces an identifier that verifies back to the stream name", () => {
    const tag = streamFromTag(["call", "CA<1>"], "k").toString();
    const identifier = /identifier="([^"]*)"/.exec(tag)?.[1];
    expect(verifyStreamName(identifier, "k")).toBe("call:CA<1>");
  });

  it("is markup, so a page template inserts it without escaping it", () => {
    const tag = streamFromTag("calls", "secret");
    expect(isSafeHtml(tag)).toBe(true);
    expect(html`<main>${tag}</main>`.toString()).toBe(
      `<main><cable-ready-stream-from identifier="${CALLS}"></cable-ready-stream-from></main>`,
    );
  });
});
