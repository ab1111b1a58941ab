/**
 * One `npm start` of a folder at a time from its first step: `stack.json`, which refuses a second start,
 * is written only once a start is up, so a second one started meanwhile (two terminals) went on, and with
 * `--fresh` wiped the first one's folder under it. The lock lives beside the folder
 * (`.local.starting`, the pid of the start holding it), which `--fresh` deletes.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { processAlive } from "../../operator/lib/process-alive";

/** Takes the lock, or says which live start holds it; a lock whose start is gone (kill -9) is taken over. */
export function takeStartLock(dir: string): { release(): void } | { heldBy: number } {
  const path = `${dir}.starting`;
  mkdirSync(dirname(path), { recursive: true }); // a LOCAL_STACK_DIR whose parent is not there yet
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(path, String(process.pid), { flag: "wx", mode: 0o600 });
      return { release: () => rmSync(path, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST" || attempt > 0) throw error;
    }
    const holder = Number(readFileSync(path, "utf8"));
    if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && processAlive(holder))
      return { heldBy: holder };
    rmSync(path, { force: true });
  }
}
