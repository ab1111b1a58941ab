/**
 * What an interrupted test run leaves: the PostgreSQL servers the tests started (in their own process
 * group, so a Ctrl-C does not reach them) and their folders in /tmp. A test process interrupted stops its
 * own (test/helpers use stopOnInterrupt); before the tests and after them, the servers and folders of test
 * processes that are gone (killed) are stopped and removed (tools/lib/abandoned-postgres.ts).
 */
import { sweepAbandonedFolders } from "../tools/lib/abandoned-postgres";

/** The folders the test helpers make for PostgreSQL: `cdc-test-<pid>-…` and the like. */
export const TEST_FOLDER = /^cdc-(?:test|producer-test|pg-init-test)-(\d+)-/;

export default async function setup(): Promise<() => Promise<void>> {
  await sweepAbandonedFolders(TEST_FOLDER);
  return async () => {
    await sweepAbandonedFolders(TEST_FOLDER);
  };
}
