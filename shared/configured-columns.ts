/**
 * Columns the routing config names that its table does not have, and columns OpenSearch refuses by name
 * (metadata fields, dotted names that are not paths it can hold).
 * Columns are typed and excluded by
 * name, so renaming one in the database (a migration) quietly changes what is indexed: a typed column
 * arrives under its new name untyped, and an excluded one (a card number) is indexed under its new name,
 * and on a stage DMS sends it too (its table mapping removes columns by name). Said at each local start
 * and by `npm run verify`, locally and on a stage; a column named before it is created is reported too,
 * harmless until then.
 */
import type pg from "pg";
import { fieldPath } from "./field-path";
import { REFUSED_METADATA_FIELDS } from "./metadata-fields";
import type { TableRouting } from "./pipeline-config";
import { relationNamed } from "./table-name";

/** The columns of each existing table (dropped and system columns left out). */
export async function tableColumns(
  client: pg.ClientBase,
  tables: string[],
): Promise<Map<string, Set<string>>> {
  const { rows } = await client.query<{ table: string; columns: string[] }>(
    `SELECT t.name AS table,
            ARRAY(SELECT a.attname::text FROM pg_attribute a
                   WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns
       FROM unnest($1::text[]) AS t(name)
       JOIN pg_class c ON c.oid = ${relationNamed("t.name")}`,
    [tables],
  );
  return new Map(rows.map(({ table, columns }) => [table, new Set(columns)]));
}

/**
 * For configured tables the database does not have (those tableColumns finds none for), the table it has
 * whose name differs only in case (`public.invoice` configured, `public."Invoice"` made by an ORM).
 */
export async function tablesDifferingInCase(
  client: pg.ClientBase,
  missing: string[],
): Promise<Map<string, string>> {
  if (missing.length === 0) return new Map();
  const { rows } = await client.query<{ table: string; found: string }>(
    `SELECT DISTINCT ON (t.name) t.name AS table, n.nspname || '.' || c.relname AS found
       FROM unnest($1::text[]) AS t(name)
       JOIN pg_namespace n ON lower(n.nspname) = lower(split_part(t.name, '.', 1))
       JOIN pg_class c ON c.relnamespace = n.oid AND lower(c.relname) = lower(split_part(t.name, '.', 2))
      WHERE c.relkind IN ('r', 'p')
      ORDER BY t.name, found`,
    [missing],
  );
  return new Map(rows.map(({ table, found }) => [table, found]));
}

/** A configured table the database does not have, as a problem (said at each local start). */
export function missingTableProblem(table: string, similar: string | undefined): string {
  const named = similar
    ? `the database has ${similar}, whose name differs in case: names are matched as PostgreSQL spells them, so name it ${similar}`
    : "check the name (schema.table, case included)";
  return `${table} is not a table in the database, so nothing of it is captured: ${named}; a table created later is captured from the next npm start (a full load)`;
}

/**
 * What the routing config names for a table that the table lacks, and the table's columns OpenSearch
 * refuses by name (its metadata fields: every row would be refused), one sentence per kind (none: []).
 */
export function columnProblems(
  routing: Pick<TableRouting, "table" | "columnSpecs" | "exclude" | "primaryKey">,
  columns: ReadonlySet<string>,
): string[] {
  const missing = (names: Iterable<string>) => [...names].filter((name) => !columns.has(name));
  const excluded = missing(routing.exclude);
  const declared = missing(Object.keys(routing.columnSpecs));
  const problems: string[] = [];
  if (excluded.length > 0)
    problems.push(
      `${routing.table}: exclude names ${excluded.join(", ")}, which the table does not have; a column renamed from it is indexed under its new name (and sent by DMS on a stage): exclude the new name`,
    );
  if (declared.length > 0)
    problems.push(
      `${routing.table}: columns declares ${declared.join(", ")}, which the table does not have; a column renamed from it is indexed under its new name as DMS sends it, untyped: declare the new name`,
    );
  const indexed = [...columns].filter((column) => !routing.exclude.has(column));
  for (const column of indexed) {
    const problem = metadataFieldProblem(
      routing.table,
      column,
      routing.primaryKey?.includes(column) ?? false,
    );
    if (problem) problems.push(problem);
  }
  problems.push(...dottedNameProblems(routing.table, indexed, routing.primaryKey ?? []));
  return problems;
}

/**
 * Columns whose names OpenSearch reads as paths (shared/field-path.ts): a dot in a field name is an object
 * path (`pref.lang` is `lang` inside `pref`). A name with an empty part other than at its end (`.a`,
 * `a..b`) or a blank part is refused in every document; trailing dots are dropped, so `a.` beside `a` is
 * the same field, holding both columns' values; a column named as the start of another's path (`pref`
 * beside `pref.lang`) cannot be a value and an object at once: the rows holding values in both are
 * refused, then every row holding the one mapped second.
 */
export function dottedNameProblems(
  table: string,
  indexed: string[],
  keyColumns: readonly string[],
): string[] {
  const problems: string[] = [];
  const byPath = new Map<string, string>();
  for (const column of indexed) {
    const path = fieldPath(column);
    if (!("parts" in path)) {
      const fix = keyColumns.includes(column)
        ? "it is a key column, which cannot be excluded: rename it in the database"
        : "exclude it or rename it in the database";
      problems.push(
        `${table}: column ${column} has a name OpenSearch refuses (a dot in a field name is an object path, and one of its parts is empty or blank), so OpenSearch refuses every row (mapper_parsing_exception, to the DLQ): ${fix}`,
      );
      continue;
    }
    const joined = path.parts.join(".");
    const same = byPath.get(joined);
    if (same === undefined) byPath.set(joined, column);
    else
      problems.push(
        `${table}: columns ${same} and ${column}: OpenSearch drops the trailing dots of a field name, so both are the field ${joined}, which holds both columns' values (or refuses the row when one does not fit the other's mapping): exclude one or rename it in the database`,
      );
  }
  for (const [joined, column] of byPath) {
    const parts = joined.split(".");
    for (let end = 1; end < parts.length; end++) {
      const prefix = byPath.get(parts.slice(0, end).join("."));
      if (prefix === undefined) continue;
      problems.push(
        `${table}: columns ${prefix} and ${column}: OpenSearch reads a dot in a field name as an object path (${column} is ${parts.slice(end).join(".")} inside ${parts.slice(0, end).join(".")}), and ${parts.slice(0, end).join(".")} cannot hold a value and an object at once: rows with values in both are refused, then every row with a value in the one mapped second (mapper_parsing_exception, to the DLQ): exclude one or rename it in the database`,
      );
    }
  }
  return problems;
}

/**
 * A column (not excluded) whose name OpenSearch keeps for itself, as a problem: said by the local start
 * and verify (columnProblems), and the database bootstrap fails the deploy with it. Undefined: fine.
 */
export function metadataFieldProblem(
  table: string,
  column: string,
  isKeyColumn: boolean,
): string | undefined {
  // A dotted name is a path from its first part (`_source.x` is `_source: {x}`; `_id.` is `_id`).
  const path = fieldPath(column);
  if (!("parts" in path) || !REFUSED_METADATA_FIELDS.has(path.parts[0] as string)) return undefined;
  const fix = isKeyColumn
    ? "it is a key column, which cannot be excluded: rename it in the database"
    : "exclude it";
  return `${table}: column ${column} has a name OpenSearch keeps for itself (a metadata field), so OpenSearch refuses every row (mapper_parsing_exception, to the DLQ): ${fix}`;
}
