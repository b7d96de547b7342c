// captureLogs, the logger a test reads: every line, parsed, as soon as it is logged.
import { describe, expect, it } from "vitest";
import { captureLogs } from "../../../src/testing/captured-logs.js";

describe("captureLogs", () => {
  it("keeps debug lines and above by default, parsed, as soon as they are logged", () => {
    const { logger, lines } = captureLogs();
    logger.trace("too fine");
    logger.debug({ sid: "s-1" }, "looked up");
    expect(lines).toEqual([expect.objectContaining({ level: 20, sid: "s-1", msg: "looked up" })]);
  });

  it("keeps only the level asked for and above", () => {
    const { logger, lines } = captureLogs("warn");
    logger.info("dropped");
    logger.warn("kept");
    expect(lines.map((line) => line.msg)).toEqual(["kept"]);
  });
});
