/**
 * What an interrupted test run leaves: a Ctrl-C reaches vitest and its workers, not the PostgreSQL
 * servers the tests started (each runs in its own process group, as the local stack's does, so that its
 * owner stops it last), and a worker that dies skips its own clean-up. The servers would keep running,
 * with their ports, memory and folders in /tmp, for good. Before the tests and after them (after a
 * Ctrl-C too), the servers of test folders whose test process is gone are stopped and the folders
 * removed; a folder of a test process still running (another `npm test`) is left alone.
 */
import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { processAlive } from "../operator/lib/process-alive";
import { stopLeftoverPostgres } from "../tools/local-stack/postgres";

/** The folders the test helpers make for PostgreSQL: `cdc-test-<pid>-…` and the like, `<pid>` the test process's. */
const TEST_FOLDER = /^cdc-(?:test|producer-test|pg-init-test)-(\d+)-/;
const TMP = "/tmp";

/** Stops the servers of abandoned test folders and removes the folders; returns how many. */
export async function sweepAbandonedTestFolders(root = TMP): Promise<string[]> {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return [];
  }
  const abandoned = names.filter((name) => {
    const owner = TEST_FOLDER.exec(name)?.[1];
    return owner !== undefined && Number(owner) !== process.pid && !processAlive(Number(owner));
  });
  for (const name of abandoned) {
    const dir = join(root, name);
    // A stack's server lives in <dir>/postgres/data, a lone one in <dir>/data.
    for (const serverDir of [dir, join(dir, "postgres")])
      await stopLeftoverPostgres(serverDir, {}).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
  return abandoned;
}

export default async function setup(): Promise<() => Promise<void>> {
  await sweepAbandonedTestFolders();
  return async () => {
    await sweepAbandonedTestFolders();
  };
}
