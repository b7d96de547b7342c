// RecentSessions: the bounded memory of Disconnects already run.
import { describe, expect, it } from "vitest";
import { RecentSessions } from "../../../../src/rpc/dispatch/recent-sessions.js";

describe("RecentSessions", () => {
  it("remembers exactly its capacity, forgetting the oldest first", () => {
    const sessions = new RecentSessions(3);
    expect(["a", "b", "c"].map((sid) => sessions.add(sid))).toEqual([true, true, true]);
    expect(sessions.size).toBe(3);
    expect(["a", "b", "c"].map((sid) => sessions.add(sid))).toEqual([false, false, false]);
    expect(sessions.add("d")).toBe(true);
    expect(sessions.size).toBe(3);
    expect(sessions.add("a")).toBe(true);
    expect(sessions.add("c")).toBe(false);
  });

  it("forgets a session on request, so its Disconnect can run again", () => {
    const sessions = new RecentSessions();
    sessions.add("a");
    sessions.delete("a");
    expect(sessions.size).toBe(0);
    expect(sessions.add("a")).toBe(true);
  });
});
