/**
 * The replica identity a captured table needs, on the deployed database (the database bootstrap) and the
 * local one (the local capture) alike: its primary key (PostgreSQL's default: a delete carries the key,
 * all the indexer needs), or REPLICA IDENTITY FULL for a table without one. Without either, PostgreSQL
 * refuses every UPDATE and DELETE on a table a publication publishes (the application's writes fail),
 * and a change decoded from the log carries no key to find its document by.
 */
import type pg from "pg";

const qualified = (client: pg.ClientBase, table: string) =>
  table
    .split(".")
    .map((part) => client.escapeIdentifier(part))
    .join(".");

/** Sets the replica identity of the tables that exist; returns those set to FULL. */
export async function ensureReplicaIdentity(client: pg.ClientBase, tables: string[]): Promise<string[]> {
  const { rows } = await client.query<{ table: string; hasPrimaryKey: boolean; replicaIdentity: string }>(
    `SELECT t.name AS table,
            EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary) AS "hasPrimaryKey",
            c.relreplident::text AS "replicaIdentity"
       FROM unnest($1::text[]) WITH ORDINALITY AS t(name, position)
       JOIN pg_class c ON c.oid = to_regclass(quote_ident(split_part(t.name, '.', 1)) || '.' || quote_ident(split_part(t.name, '.', 2)))
      ORDER BY t.position`,
    [tables],
  );
  const full: string[] = [];
  for (const { table, hasPrimaryKey, replicaIdentity } of rows) {
    if (!hasPrimaryKey && replicaIdentity !== "f") {
      await client.query(`ALTER TABLE ${qualified(client, table)} REPLICA IDENTITY FULL`);
      full.push(table);
    } else if (hasPrimaryKey && replicaIdentity === "n") {
      await client.query(`ALTER TABLE ${qualified(client, table)} REPLICA IDENTITY DEFAULT`);
    }
  }
  return full;
}
