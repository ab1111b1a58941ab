import type pg from "pg";
import type { Relation } from "./records";

/** Columns (with type OIDs, in table order) and primary key of `schema.table`. */
export async function describeTable(client: pg.ClientBase, table: string): Promise<Relation> {
  const [schema, name] = table.split(".") as [string, string];
  const columns = await client.query<{ name: string; type_oid: number }>(
    `SELECT a.attname AS name, a.atttypid::int AS type_oid FROM pg_attribute a
      WHERE a.attrelid = (quote_ident($1) || '.' || quote_ident($2))::regclass
        AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
    [schema, name],
  );
  const keys = await client.query<{ name: string }>(
    `SELECT a.attname AS name FROM pg_index i
       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
      WHERE i.indrelid = (quote_ident($1) || '.' || quote_ident($2))::regclass AND i.indisprimary`,
    [schema, name],
  );
  return {
    schema,
    name,
    columns: columns.rows.map((c) => ({ name: c.name, typeOid: c.type_oid })),
    keyColumns: keys.rows.map((k) => k.name),
  };
}
