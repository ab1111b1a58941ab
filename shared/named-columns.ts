/**
 * The columns `config/pipeline.yaml` names: excluded (`exclude: [card_number]`: DMS removes them and the
 * indexer drops them, by name), typed (`columns`), the key (`primaryKey`, or `id` by default) and those a
 * route's condition reads. A migration that renames one changes what is indexed without a word: a secret
 * column's values indexed under the new name, a number indexed as text, every change dead-lettered for
 * want of its key, rows leaving a route's index. So a migration is refused (rolled back) when a column
 * the config names before it carries another name after it. PostgreSQL keeps a renamed column's number
 * (`pg_attribute.attnum`), so a rename is told from a drop and from a table rename (which the config,
 * naming tables, sees as a table gone).
 */
import type pg from "pg";
import type { PipelineConfig, TableRouting } from "./pipeline-config";

export type ColumnRole = "excluded" | "typed" | "key" | "route";
export type NamedColumn = { schema: string; table: string; column: string; role: ColumnRole };
/** Where a named column is: its table (by oid, which a table rename keeps) and its number. */
export type LocatedColumn = NamedColumn & { relid: number; attnum: number };

/** Every column the config names, with its role (the first one for a column named twice). */
export function namedColumnsOf(config: PipelineConfig): NamedColumn[] {
  return config.tables().flatMap((t) => {
    const [schema, table] = t.table.split(".") as [string, string]; // schema.table: one dot (TABLE_NAME)
    const named = new Map<string, ColumnRole>();
    const add = (column: string, role: ColumnRole) => {
      if (!named.has(column)) named.set(column, role);
    };
    for (const column of t.exclude) add(column, "excluded");
    for (const column of t.primaryKey ?? ["id"]) add(column, "key");
    for (const column of Object.keys(t.columnSpecs)) add(column, "typed");
    for (const column of routeColumns(t)) add(column, "route");
    return [...named].map(([column, role]) => ({ schema, table, column, role }));
  });
}

/**
 * The columns a table's route conditions may read: each prefix of each dotted field path (`event_data.x.y`
 * reads the column `event_data`, or a column named `event_data.x`); the ones that exist are located.
 */
function routeColumns(t: TableRouting): string[] {
  const fields: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) for (const n of node) walk(n);
    else if (node && typeof node === "object")
      for (const [key, value] of Object.entries(node)) {
        if (key === "field" && typeof value === "string" && !value.startsWith("$")) fields.push(value);
        else walk(value);
      }
  };
  for (const route of t.routes) walk(JSON.parse(route.condition));
  return fields.flatMap((f) => f.split(".").map((_, i, parts) => parts.slice(0, i + 1).join(".")));
}

/** The named columns that exist now, with where they are. */
export async function locateColumns(client: pg.ClientBase, columns: NamedColumn[]): Promise<LocatedColumn[]> {
  if (columns.length === 0) return [];
  const { rows } = await client.query<{ i: number; relid: number; attnum: number }>(
    `SELECT w.i::int AS i, a.attrelid::int AS relid, a.attnum::int AS attnum
       FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS w(schema, tbl, col, i)
       JOIN pg_namespace n ON n.nspname = w.schema
       JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = w.tbl
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = w.col AND a.attnum > 0 AND NOT a.attisdropped`,
    [columns.map((c) => c.schema), columns.map((c) => c.table), columns.map((c) => c.column)],
  );
  return rows
    .sort((a, b) => a.i - b.i)
    .map((r) => ({ ...(columns[r.i - 1] as NamedColumn), relid: r.relid, attnum: r.attnum }));
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

const CONSEQUENCE: Record<ColumnRole, string> = {
  excluded: "excludes from the index: its values would be indexed under the new name",
  typed: "declares a type for: it would be indexed under the new name without that type",
  key: "uses as the table's key: every change of the table would be dead-lettered without it",
  route: "reads in a route's condition: the route would no longer see it",
};

/** What a renamed column breaks, and what to do, in one line. */
export function renamedColumnsMessage(file: string, renamed: (LocatedColumn & { now: string })[]): string {
  const each = renamed.map(
    (c) =>
      `${c.schema}.${c.table}.${c.column} to ${c.now}, which config/pipeline.yaml ${CONSEQUENCE[c.role]}`,
  );
  const them = renamed.length > 1 ? "them" : "it";
  return `migration ${file} renames ${each.join("; and ")}. Rename ${them} in config/pipeline.yaml too, in the same change (nothing of the migration was applied)`;
}
