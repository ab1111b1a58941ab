/**
 * Stored generated columns (`GENERATED ALWAYS AS (...) STORED`): pgoutput (PostgreSQL 12 to 17) leaves
 * them out of a change, while DMS decodes with test_decoding, which writes every stored column, generated
 * ones too, and its full load reads them like any other. So the local capture computes them for each
 * insert and update from the row's own values with the column's expression (immutable, by PostgreSQL's
 * rule, so computing it now gives what was stored), in the table's column order, and a document holds
 * them as on a stage. When a value the expression reads is not in the change (an unchanged TOASTed
 * value of an excluded column), the stored values are read from the table instead.
 */
import pg from "pg";
import type { Relation, Tuple } from "../../../operator/lib/dms/records";
import { AS_OUTPUT_TEXT } from "../../../operator/lib/dms/table-pages";
import type { CaptureSelection } from "../../../shared/dms-table-mappings";
import { ownValue, setOwn } from "../../../shared/own-properties";

/** How to fill one relation's generated columns: the relation with them, and the SQL that computes them. */
export type GeneratedColumns = {
  relation: Relation;
  generated: string[];
  /** The table's other columns, each with its type as SQL, which the expressions may read. */
  inputs: { name: string; type: string }[];
  compute: string;
  read: string;
};

type Attribute = { name: string; typeOid: number; type: string; expression: string | null };

/** The relation's generated columns (undefined: it has none, or the table is gone). */
export async function generatedColumnsOf(
  db: Pick<pg.Pool, "query">,
  relation: Relation,
  selection: CaptureSelection,
): Promise<GeneratedColumns | undefined> {
  const { rows } = await db.query<Attribute>(
    `SELECT a.attname AS name, a.atttypid::int AS "typeOid", format_type(a.atttypid, a.atttypmod) AS type,
            CASE WHEN a.attgenerated = 's' THEN pg_get_expr(d.adbin, d.adrelid) END AS expression
       FROM pg_attribute a
       LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE a.attrelid = to_regclass(quote_ident($1) || '.' || quote_ident($2))
        AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attnum`,
    [relation.schema, relation.name],
  );
  const generated = rows.filter((a) => a.expression !== null);
  if (generated.length === 0) return undefined;
  const id = pg.escapeIdentifier;
  const kept = new Set(relation.columns.map((c) => c.name));
  const inputs = rows.filter((a) => a.expression === null).map(({ name, type }) => ({ name, type }));
  const source = inputs.map((c, i) => `$${i + 1}::${c.type} AS ${id(c.name)}`).join(", ");
  const table = `${id(relation.schema)}.${id(relation.name)}`;
  const where = relation.keyColumns.map((k, i) => `${id(k)} = $${i + 1}`).join(" AND ");
  return {
    relation: {
      ...relation,
      columns: rows
        .filter((a) =>
          a.expression === null
            ? kept.has(a.name)
            : !selection.removesColumn(relation.schema, relation.name, a.name),
        )
        .map(({ name, typeOid }) => ({ name, typeOid })),
    },
    generated: generated.map((a) => a.name),
    inputs,
    compute: `SELECT ${generated.map((a) => `(${a.expression})`).join(", ")} FROM (SELECT ${source}) AS ${id(relation.name)}`,
    read: `SELECT ${generated.map((a) => id(a.name)).join(", ")} FROM ${table} WHERE ${where}`,
  };
}

/** Puts the generated columns' values into an inserted or updated row. */
export async function fillGenerated(
  db: Pick<pg.Pool, "query">,
  columns: GeneratedColumns,
  row: Tuple,
): Promise<void> {
  const values = columns.inputs.map((c) => ownValue(row, c.name));
  const complete = values.every((v) => v !== undefined);
  if (!complete && columns.relation.keyColumns.length === 0) return;
  const { rows } = await db.query<(string | null)[]>({
    text: complete ? columns.compute : columns.read,
    values: complete ? values : columns.relation.keyColumns.map((k) => ownValue(row, k)),
    rowMode: "array",
    types: AS_OUTPUT_TEXT,
  });
  columns.generated.forEach((name, i) => {
    setOwn<Tuple[string]>(row, name, rows[0]?.[i] ?? null);
  });
}
