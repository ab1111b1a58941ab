/**
 * A configured table that is partitioned (`PARTITION BY`) holds no rows itself: DMS full-loads it through
 * the parent, but decodes each change from the partition that holds the row and streams it under that
 * partition's name, which the task (selecting the parent by name) does not select. Its index would get
 * the full load and then no change. Configuring the partitions themselves works (each with the same
 * `index:`, so they share one). Said at each local start; on a stage the database bootstrap fails the
 * deploy with the same words.
 */
import type pg from "pg";
import { relationNamed } from "./table-name";

/** The partitioned tables among these, each with its partitions (`schema.table`, leaves only). */
export async function partitionedTables(
  client: pg.ClientBase,
  tables: string[],
): Promise<Map<string, string[]>> {
  const { rows } = await client.query<{ table: string; partitions: string[] }>(
    `SELECT t.name AS table,
            ARRAY(SELECT n.nspname || '.' || c.relname
                    FROM pg_partition_tree(p.oid) AS tree
                    JOIN pg_class c ON c.oid = tree.relid
                    JOIN pg_namespace n ON n.oid = c.relnamespace
                   WHERE tree.isleaf ORDER BY 1) AS partitions
       FROM unnest($1::text[]) AS t(name)
       JOIN pg_class p ON p.oid = ${relationNamed("t.name")}
      WHERE p.relkind = 'p'`,
    [tables],
  );
  return new Map(rows.map(({ table, partitions }) => [table, partitions]));
}

/** Why a partitioned table cannot be configured as such, and what to configure instead. */
export function partitionProblem(table: string, partitions: string[]): string {
  const shown = partitions.length > 0 ? partitions.join(", ") : "none yet";
  return `${table} is partitioned: DMS streams each change under the name of the partition that holds the row (${shown}), which the task does not select, so its index would get the full load and then no change; configure its partitions instead, each with the same index: (they then share one index; a partition added later needs its own entry)`;
}
