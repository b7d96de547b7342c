import { readFileSync } from "node:fs";

/**
 * Whether `pid` is a live (non-zombie) process. A killed orphan can linger as a
 * zombie in containers whose PID 1 does not reap, and kill(pid, 0) still
 * succeeds on zombies, so /proc is the honest source.
 */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}
