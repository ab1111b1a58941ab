/**
 * Versioned SQL migrations (`db/migrations/NNNN_name.sql`), each applied once in its own transaction and
 * recorded with its checksum in `schema_migrations`; an applied file that was edited afterwards is an
 * error, not a silent skip. A session advisory lock keeps concurrent runs from racing.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";

export type Migration = { version: string; file: string; sql: string; checksum: string };

export function readMigrations(dir: string): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f))
    .sort()
    .map((file) => {
      const sql = readFileSync(join(dir, file), "utf8");
      return {
        version: file.slice(0, 4),
        file,
        sql,
        checksum: createHash("sha256").update(sql).digest("hex"),
      };
    });
}

const LOCK_ID = 7_302_114_001;

export async function migrate(databaseUrl: string, dir: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const applied: string[] = [];
  try {
    await client.query("SELECT pg_advisory_lock($1)", [LOCK_ID]);
    await client.query(`CREATE TABLE IF NOT EXISTS public.schema_migrations (
      version text PRIMARY KEY, file text NOT NULL, checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Map(
      (
        await client.query<{ version: string; checksum: string }>(
          "SELECT version, checksum FROM public.schema_migrations",
        )
      ).rows.map((r) => [r.version, r.checksum]),
    );
    for (const m of readMigrations(dir)) {
      const checksum = done.get(m.version);
      if (checksum !== undefined) {
        if (checksum !== m.checksum)
          throw new Error(
            `migration ${m.file} was changed after it was applied; add a new migration instead`,
          );
        continue;
      }
      await client.query("BEGIN");
      try {
        await client.query(m.sql);
        await client.query(
          "INSERT INTO public.schema_migrations (version, file, checksum) VALUES ($1, $2, $3)",
          [m.version, m.file, m.checksum],
        );
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK");
        throw new Error(`migration ${m.file} failed: ${(error as Error).message}`, { cause: error });
      }
      applied.push(m.file);
    }
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [LOCK_ID]).catch(() => undefined);
    await client.end();
  }
  return applied;
}
