/**
 * Versioned SQL migrations (`db/migrations/NNNN_name.sql`), each applied once in its own transaction and
 * recorded with its checksum in `schema_migrations`; an applied file that was edited afterwards is an
 * error, not a silent skip. A session advisory lock keeps concurrent runs (two deploys, a deploy and an
 * operator's `npm run db:migrate`) from racing. A migration that renames a column the routing config
 * names is rolled back (shared/named-columns.ts). Used by the database bootstrap in AWS and by
 * `npm run db:migrate` / the local stack.
 */
import { createHash } from "node:crypto";
import type pg from "pg";
import { PipelineError } from "./errors";
import { locateColumns, type NamedColumn, renamedColumns, renamedColumnsMessage } from "./named-columns";

export type Migration = { version: string; file: string; sql: string; checksum: string };

export class MigrationError extends PipelineError {
  override name = "MigrationError";
}

const FILE_NAME = /^(\d{4})_[\w-]+\.sql$/;

/** A migration from its file name and text. */
export function migration(file: string, sql: string): Migration {
  const match = FILE_NAME.exec(file);
  if (!match) throw new MigrationError("invalid_migration", `${file} is not named NNNN_name.sql`);
  return {
    version: match[1] as string,
    file,
    sql,
    checksum: createHash("sha256").update(sql).digest("hex"),
  };
}

/** Sorted by version; two files with one version are an error. */
export function orderedMigrations(list: Migration[]): Migration[] {
  const sorted = [...list].sort((a, b) => a.version.localeCompare(b.version));
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]?.version === sorted[i - 1]?.version)
      throw new MigrationError(
        "invalid_migration",
        `${sorted[i - 1]?.file} and ${sorted[i]?.file} share version ${sorted[i]?.version}`,
      );
  }
  return sorted;
}

const LOCK_ID = 7_302_114_001;

/**
 * Applies the migrations not yet applied, in order; returns the files it applied. `namedColumns`: the
 * columns the routing config names, which no migration may rename.
 */
export async function applyMigrations(
  client: pg.ClientBase,
  migrations: Migration[],
  options: { namedColumns?: NamedColumn[] } = {},
): Promise<string[]> {
  const applied: string[] = [];
  await client.query("SELECT pg_advisory_lock($1)", [LOCK_ID]);
  try {
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
    for (const m of orderedMigrations(migrations)) {
      const checksum = done.get(m.version);
      if (checksum !== undefined) {
        if (checksum !== m.checksum)
          throw new MigrationError(
            "migration_changed",
            `migration ${m.file} was changed after it was applied; add a new migration instead`,
          );
        continue;
      }
      await client.query("BEGIN");
      try {
        const named = await locateColumns(client, options.namedColumns ?? []);
        await client.query(m.sql);
        const renamed = await renamedColumns(client, named);
        if (renamed.length > 0)
          throw new MigrationError("named_column_renamed", renamedColumnsMessage(m.file, renamed));
        await client.query(
          "INSERT INTO public.schema_migrations (version, file, checksum) VALUES ($1, $2, $3)",
          [m.version, m.file, m.checksum],
        );
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK");
        if (error instanceof MigrationError) throw error;
        throw new MigrationError(
          "migration_failed",
          `migration ${m.file} failed: ${(error as Error).message}`,
          {
            cause: error,
          },
        );
      }
      applied.push(m.file);
    }
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [LOCK_ID]).catch(() => undefined);
  }
  return applied;
}
