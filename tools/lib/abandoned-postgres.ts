/**
 * PostgreSQL servers that outlive the process that started them. The embedded servers run in their own
 * process group (the local stack stops its own last, in order), so a terminal's Ctrl-C reaches the
 * process that started one and not the server, and a process killed (kill -9) never stops its own. For
 * the processes that start servers in scratch folders of /tmp (the tests, `npm run bench`):
 * - `stopOnInterrupt`: an interrupted process (SIGINT, SIGTERM, SIGHUP) tells each of its servers to
 *   shut down (fast shutdown) before it exits;
 * - `sweepAbandonedFolders`: the servers of scratch folders whose process is gone (its pid is in the
 *   folder's name) are stopped and the folders removed; a running process's folder is left alone.
 * (`npm start` keeps its own folder and stops a server a killed run left there at its next start.)
 */

import { readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { processAlive } from "../../operator/lib/process-alive";
import { runningServer, stopLeftoverPostgres } from "../local-stack/postgres";

const folders = new Set<string>();
let installed = false;

/** A server's data is in <dir>/data (a lone server) or <dir>/postgres/data (a local stack's). */
const serverDirs = (dir: string) => [dir, join(dir, "postgres")];

/** Fast shutdown for each server still running in the folders (synchronous: a signal handler's work). */
function signalServers(): void {
  for (const dir of folders)
    for (const serverDir of serverDirs(dir)) {
      const pid = runningServer(join(serverDir, "data"));
      if (pid === undefined) continue;
      try {
        process.kill(pid, "SIGINT");
      } catch {
        // gone meanwhile
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
        signalServers();
        process.exit(128 + ({ SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as const)[signal]);
      });
  }
  return () => folders.delete(dir);
}

/**
 * Stops the servers of the scratch folders of `root` whose names match `pattern` (its first group: the
 * pid of the process that made it) and whose process is gone, then removes them; returns their names.
 */
export async function sweepAbandonedFolders(pattern: RegExp, root = tmpdir()): Promise<string[]> {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return [];
  }
  const abandoned = names.filter((name) => {
    const owner = pattern.exec(name)?.[1];
    return owner !== undefined && Number(owner) !== process.pid && !processAlive(Number(owner));
  });
  for (const name of abandoned) {
    const dir = join(root, name);
    for (const serverDir of serverDirs(dir)) await stopLeftoverPostgres(serverDir, {}).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
  return abandoned;
}
