/**
 * What a change of a captured table carries to find its document, on the deployed database (the database
 * bootstrap) and the local one (the local stack) alike. DMS sends a delete, and the before-image of a key
 * change, with the columns of the table's replica identity only: its primary key (PostgreSQL's default),
 * or the whole row (REPLICA IDENTITY FULL) for a table without one. Without either, PostgreSQL refuses
 * every UPDATE and DELETE on a table a publication publishes (the application's writes fail), and a
 * change decoded from the log carries no key. A routing-config key other than the primary key cannot
 * find the document a delete removes.
 */
import type pg from "pg";
import { quotedTable, relationNamed } from "./table-name";

/** Sets the replica identity of the tables that exist; returns those set to FULL. */
export async function ensureReplicaIdentity(client: pg.ClientBase, tables: string[]): Promise<string[]> {
  const { rows } = await client.query<{ table: string; hasPrimaryKey: boolean; replicaIdentity: string }>(
    `SELECT t.name AS table,
            EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary) AS "hasPrimaryKey",
            c.relreplident::text AS "replicaIdentity"
       FROM unnest($1::text[]) WITH ORDINALITY AS t(name, position)
       JOIN pg_class c ON c.oid = ${relationNamed("t.name")}
      WHERE c.relkind IN ('r', 'p') -- a view has no replica identity (uncapturable-tables.ts names it)
      ORDER BY t.position`,
    [tables],
  );
  const full: string[] = [];
  for (const { table, hasPrimaryKey, replicaIdentity } of rows) {
    if (!hasPrimaryKey && replicaIdentity !== "f") {
      await client.query(`ALTER TABLE ${quotedTable(table, client)} REPLICA IDENTITY FULL`);
      full.push(table);
    } else if (hasPrimaryKey && replicaIdentity === "n") {
      await client.query(`ALTER TABLE ${quotedTable(table, client)} REPLICA IDENTITY DEFAULT`);
    }
  }
  return full;
}

/**
 * What a table's deletes and key changes carry (its replica identity): the whole row (`full`), or the
 * columns of its primary key or of the index set as its replica identity. And whether it has `id`.
 */
export type TableKey = {
  identity: "full" | "primary key" | "replica identity index";
  columns: string[];
  hasIdColumn: boolean;
};

/** Each existing table's replica identity and its columns (in key order), and whether it has `id`. */
export async function tableKeys(client: pg.ClientBase, tables: string[]): Promise<Map<string, TableKey>> {
  const { rows } = await client.query<{
    table: string;
    replicaIdentity: string;
    columns: string[];
    hasIdColumn: boolean;
  }>(
    `SELECT t.name AS table, c.relreplident::text AS "replicaIdentity",
            COALESCE((SELECT array_agg(a.attname::text ORDER BY k.position)
                        FROM pg_index i
                        CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, position)
                        JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                       WHERE i.indrelid = c.oid
                         AND CASE WHEN c.relreplident = 'i' THEN i.indisreplident ELSE i.indisprimary END), '{}') AS columns,
            EXISTS (SELECT 1 FROM pg_attribute a
                     WHERE a.attrelid = c.oid AND a.attname = 'id' AND a.attnum > 0 AND NOT a.attisdropped) AS "hasIdColumn"
       FROM unnest($1::text[]) AS t(name)
       JOIN pg_class c ON c.oid = ${relationNamed("t.name")}`,
    [tables],
  );
  return new Map(
    rows.map(({ table, replicaIdentity, columns, hasIdColumn }) => [
      table,
      {
        identity:
          replicaIdentity === "f"
            ? "full"
            : replicaIdentity === "i"
              ? "replica identity index"
              : "primary key",
        columns,
        hasIdColumn,
      },
    ]),
  );
}

/** A table's key columns: the routing config's `primaryKey`, else `[id]` when the table has an id column. */
export const keyColumnsOf = (configured: string[] | undefined, hasIdColumn: boolean): string[] | undefined =>
  configured ?? (hasIdColumn ? ["id"] : undefined);

/**
 * Why a table's configured key cannot work (undefined when it can): a delete, and the before-image of a
 * key change, carry only the columns of the table's replica identity (its primary key by default), so a
 * key of other columns cannot find the document to delete. A table that sends whole rows (REPLICA
 * IDENTITY FULL, as a table without a primary key gets) takes any key of its columns.
 */
export function keyProblem(
  table: string,
  configured: string[] | undefined,
  { identity, columns, hasIdColumn }: TableKey,
): string | undefined {
  const key = keyColumnsOf(configured, hasIdColumn);
  const shown = (list: string[]) => `[${list.join(", ")}]`;
  if (!key)
    return `${table} has no primaryKey in the routing config and no id column: every change of it is refused (no_primary_key); set primaryKey: ${shown(columns.length ? columns : ["<columns>"])}`;
  if (identity === "full" || columns.length === 0) return undefined;
  if (key.length === columns.length && key.every((c) => columns.includes(c))) return undefined;
  return `${table}: the routing config's key ${shown(key)} is not the table's ${identity} ${shown(columns)}: deletes and key changes carry only ${shown(columns)}, so their documents are not found (deletes dead-lettered as missing_primary_key); set primaryKey: ${shown(columns)}`;
}
