/**
 * `db/migrations/*.sql` read from disk and applied to a database URL (`npm run db:migrate`, the local
 * stack, tests). The rules of applying live in shared/migrations.ts, which the database bootstrap in
 * AWS runs on the bundled copy of the same files (db/migrations/index.ts).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { applyMigrations, type Migration, migration } from "../../shared/migrations";
import type { NamedColumn } from "../../shared/named-columns";

export function readMigrations(dir: string): Migration[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".sql"))
    .map((file) => migration(file, readFileSync(join(dir, file), "utf8")));
}

/** `namedColumns`: those the routing config names, which no migration may rename. */
export async function migrate(
  databaseUrl: string,
  dir: string,
  namedColumns: NamedColumn[],
): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await applyMigrations(client, readMigrations(dir), { namedColumns });
  } finally {
    await client.end();
  }
}
