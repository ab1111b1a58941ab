/**
 * The PostgreSQL servers a test process started run in their own process group (as the local stack's
 * do), so a terminal's Ctrl-C reaches the test process and not them, and the test's own clean-up never
 * runs. A test process interrupted (SIGINT, SIGTERM, SIGHUP) tells each server it started to shut down
 * (fast shutdown) before it exits; the next run's sweep (test/global-setup.ts) removes the folders.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

const folders = new Set<string>();
let installed = false;

function stopServers(): void {
  for (const dir of folders)
    for (const dataDir of [join(dir, "data"), join(dir, "postgres", "data")]) {
      try {
        const pid = Number(readFileSync(join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
        if (Number.isInteger(pid) && pid > 0) process.kill(pid, "SIGINT");
      } catch {
        // no server there, or gone already
      }
    }
}

/** Stops the servers in `dir` if this process is interrupted; returns the function that forgets it. */
export function stopOnInterrupt(dir: string): () => void {
  folders.add(dir);
  if (!installed) {
    installed = true;
    for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const)
      process.once(signal, () => {
        stopServers();
        process.exit(128 + ({ SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as const)[signal]);
      });
  }
  return () => folders.delete(dir);
}
