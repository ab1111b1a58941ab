/** The machine's processes as tests look at them (Linux /proc). */
import { readdirSync, readFileSync } from "node:fs";
import { parentPid } from "../../operator/lib/process-alive";

const pids = (): number[] =>
  readdirSync("/proc")
    .filter((p) => /^\d+$/.test(p))
    .map(Number);

/** Processes other than this one whose command line holds `text` (a folder, a script's path). */
export function processesNaming(text: string): number[] {
  return pids().filter((pid) => {
    if (pid === process.pid) return false;
    try {
      return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(text);
    } catch {
      return false; // gone meanwhile
    }
  });
}

/** The processes below `pid` (children, their children, ...). */
export function descendants(pid: number): number[] {
  const parentOf = new Map(pids().map((p) => [p, parentPid(p)]));
  const found: number[] = [];
  for (let frontier = [pid]; frontier.length > 0; ) {
    const next = [...parentOf]
      .filter(([, parent]) => parent !== undefined && frontier.includes(parent))
      .map(([child]) => child);
    found.push(...next);
    frontier = next;
  }
  return found;
}
