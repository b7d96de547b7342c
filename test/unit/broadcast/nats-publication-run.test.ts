// Which payloads of a NATS window travel together as one batch message.
import { describe, expect, it } from "vitest";
import { publicationRun } from "../../../src/broadcast/nats.js";
import { encodeBatch, encodeCommand, encodePublication } from "../../../src/broadcast/payload.js";

const publication = (stream: string, data = "x") => encodePublication(stream, data).json;
const batch = (...streams: string[]) => encodeBatch(streams.map((stream) => ({ stream, data: "x" }))).json;
const command = encodeCommand({ command: "disconnect", payload: { identifier: "ids", reconnect: false } }).json;

describe("publicationRun", () => {
  it("merges consecutive publications and batches into one batch, in order, that anycable-go reads as the same broadcasts", () => {
    const run = publicationRun([publication("a"), batch("b", "c"), publication("d")], 0);
    expect(run.count).toBe(3);
    expect(JSON.parse(run.message)).toEqual(["a", "b", "c", "d"].map((stream) => ({ stream, data: "x" })));
  });

  it("stops at a command, which goes on its own", () => {
    const payloads = [publication("a"), publication("b"), command, publication("c")];
    expect(publicationRun(payloads, 0)).toEqual({ message: `[${payloads[0]},${payloads[1]}]`, count: 2 });
    expect(publicationRun(payloads, 2)).toEqual({ message: command, count: 1 });
    expect(publicationRun(payloads, 3)).toEqual({ message: payloads[3], count: 1 });
  });

  it("leaves a lone publication or batch as it was encoded", () => {
    expect(publicationRun([publication("a"), command], 0)).toEqual({ message: publication("a"), count: 1 });
    expect(publicationRun([batch("a", "b")], 0)).toEqual({ message: batch("a", "b"), count: 1 });
  });

  it("leaves anything that is not a publication alone", () => {
    expect(publicationRun(["plain", publication("a")], 0)).toEqual({ message: "plain", count: 1 });
    expect(publicationRun(["[1,2]", publication("a")], 0)).toEqual({ message: "[1,2]", count: 1 });
    // A batch cut short has no closing bracket to strip: merged, it would lose its last character.
    const cut = batch("a").slice(0, -1);
    expect(publicationRun([cut, publication("b")], 0)).toEqual({ message: cut, count: 1 });
    expect(publicationRun([publication("b"), cut], 0)).toEqual({ message: publication("b"), count: 1 });
  });

  it("keeps a merged message under 64 KB, starting the next one where it would grow past", () => {
    const big = publication("s", "y".repeat(40_000));
    const run = publicationRun([big, big, big], 0);
    expect(run).toEqual({ message: big, count: 1 });
    const small = publication("s", "y".repeat(20_000));
    const two = publicationRun([small, small, small, small], 0);
    expect(two.count).toBe(3);
    expect(two.message.length).toBeLessThanOrEqual(64 * 1024);
  });

  it("merges up to 65,535 characters, one short of 64 KiB, and not one more", () => {
    // Two publications merge as `[a,b]`: their lengths plus three characters.
    const sized = (length: number) => publication("s", "y".repeat(length - publication("s", "").length));
    const under = publicationRun([sized(32_766), sized(32_766)], 0);
    expect(under.count).toBe(2);
    expect(under.message.length).toBe(64 * 1024 - 1);
    expect(publicationRun([sized(32_766), sized(32_767)], 0)).toEqual({ message: sized(32_766), count: 1 });
  });
});
