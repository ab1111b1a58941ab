/**
 * Columns `config/pipeline.yaml` excludes from the index (`exclude: [card_number]`): DMS removes them by
 * name and the indexer drops them by name. A migration that renames one would send its values to the
 * index under the new name, so a migration is refused (rolled back) when a column excluded before it
 * carries another name after it. PostgreSQL keeps a renamed column's number (`pg_attribute.attnum`), so
 * a rename is told from a drop (which leaks nothing) and from a table rename (no longer captured by name).
 */
import type pg from "pg";
import type { TableMappings } from "./dms-table-mappings";
import type { PipelineConfig } from "./pipeline-config";

export type ColumnRef = { schema: string; table: string; column: string };
/** Where an excluded column is: its table (by oid, which a table rename keeps) and its number. */
export type LocatedColumn = ColumnRef & { relid: number; attnum: number };

/** The excluded columns of a routing config. */
export function excludedColumnsOf(config: PipelineConfig): ColumnRef[] {
  return config.tables().flatMap((t) => {
    const [schema, table] = splitTable(t.table);
    return [...t.exclude].map((column) => ({ schema, table, column }));
  });
}

/** The excluded columns of DMS table mappings (their `remove-column` rules that name one column). */
export function excludedColumnsOfMappings(mappings: TableMappings): ColumnRef[] {
  return mappings.rules.flatMap((r) => {
    if (r["rule-action"] !== "remove-column") return [];
    const loc = r["object-locator"] as { "schema-name": string; "table-name": string; "column-name": string };
    const names = [loc["schema-name"], loc["table-name"], loc["column-name"]];
    if (names.some((n) => n.includes("%"))) return [];
    return [{ schema: loc["schema-name"], table: loc["table-name"], column: loc["column-name"] }];
  });
}

function splitTable(qualified: string): [string, string] {
  const dot = qualified.indexOf(".");
  return [qualified.slice(0, dot), qualified.slice(dot + 1)];
}

/** The excluded columns that exist now, with where they are. */
export async function locateColumns(client: pg.ClientBase, columns: ColumnRef[]): Promise<LocatedColumn[]> {
  if (columns.length === 0) return [];
  const { rows } = await client.query<{
    schema: string;
    table: string;
    column: string;
    relid: number;
    attnum: number;
  }>(
    `SELECT n.nspname AS schema, c.relname AS table, a.attname AS column, a.attrelid::int AS relid, a.attnum::int AS attnum
       FROM unnest($1::text[], $2::text[], $3::text[]) AS w(schema, tbl, col)
       JOIN pg_namespace n ON n.nspname = w.schema
       JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = w.tbl
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = w.col AND a.attnum > 0 AND NOT a.attisdropped`,
    [columns.map((c) => c.schema), columns.map((c) => c.table), columns.map((c) => c.column)],
  );
  return rows;
}

/** Of columns located earlier, those that now carry another name (renamed), with the new name. */
export async function renamedColumns(
  client: pg.ClientBase,
  located: LocatedColumn[],
): Promise<(LocatedColumn & { now: string })[]> {
  if (located.length === 0) return [];
  const { rows } = await client.query<{ relid: number; attnum: number; now: string }>(
    `SELECT a.attrelid::int AS relid, a.attnum::int AS attnum, a.attname AS now
       FROM unnest($1::int[], $2::int[]) AS w(relid, attnum)
       JOIN pg_attribute a ON a.attrelid = w.relid AND a.attnum = w.attnum AND NOT a.attisdropped`,
    [located.map((c) => c.relid), located.map((c) => c.attnum)],
  );
  return located.flatMap((c) => {
    const after = rows.find((r) => r.relid === c.relid && r.attnum === c.attnum);
    return after && after.now !== c.column ? [{ ...c, now: after.now }] : [];
  });
}
