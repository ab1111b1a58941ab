/**
 * Configured relations a DMS task cannot capture as configured, each with why and what to configure
 * instead. Said at each local start and by verify; on a stage the database bootstrap fails the deploy
 * with the same words.
 * - A partitioned table (`PARTITION BY`) holds no rows itself: DMS full-loads it through the parent, but
 *   decodes each change from the partition that holds the row and streams it under that partition's
 *   name, which the task (selecting the parent by name) does not select. Its index would get the full
 *   load and then no change. Configuring the partitions themselves works (each with the same `index:`,
 *   so they share one).
 * - A view, a materialized view or a foreign table has no changes to decode (logical replication, and so
 *   DMS, publishes tables only; the task's selection rules select tables): its index would get no row.
 */
import type pg from "pg";
import { relationNamed } from "./table-name";

const KINDS: Record<string, string> = { v: "a view", m: "a materialized view", f: "a foreign table" };

/** The configured tables among these that cannot be captured as configured, each with its problem. */
export async function uncapturableTables(
  client: pg.ClientBase,
  tables: string[],
): Promise<Map<string, string>> {
  const { rows } = await client.query<{ table: string; kind: string; partitions: string[] }>(
    `SELECT t.name AS table, p.relkind AS kind,
            CASE WHEN p.relkind = 'p' THEN
              ARRAY(SELECT n.nspname || '.' || c.relname
                      FROM pg_partition_tree(p.oid) AS tree
                      JOIN pg_class c ON c.oid = tree.relid
                      JOIN pg_namespace n ON n.oid = c.relnamespace
                     WHERE tree.isleaf ORDER BY 1)
            END AS partitions
       FROM unnest($1::text[]) AS t(name)
       JOIN pg_class p ON p.oid = ${relationNamed("t.name")}
      WHERE p.relkind IN ('p', 'v', 'm', 'f')`,
    [tables],
  );
  return new Map(
    rows.map(({ table, kind, partitions }) => [
      table,
      kind === "p" ? partitionProblem(table, partitions) : notATableProblem(table, KINDS[kind] as string),
    ]),
  );
}

/** Why a partitioned table cannot be configured as such, and what to configure instead. */
function partitionProblem(table: string, partitions: string[]): string {
  const shown = partitions.length > 0 ? partitions.join(", ") : "none yet";
  return `${table} is partitioned: DMS streams each change under the name of the partition that holds the row (${shown}), which the task does not select, so its index would get the full load and then no change; configure its partitions instead, each with the same index: (they then share one index; a partition added later needs its own entry)`;
}

/** Why a view (or the like) cannot be configured, and what to configure instead. */
function notATableProblem(table: string, kind: string): string {
  return `${table} is ${kind}: only tables are captured (logical replication, and so DMS, publishes no changes of it), so its index would get no row; configure the tables it reads instead, with a route (routes:, when:) for the rows it selects`;
}
