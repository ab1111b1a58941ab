/**
 * A table's rows as text tuples, a page at a time through a cursor, so memory holds one page. Each value
 * is its type's output text, the same text logical replication sends for a change (not a `::text` cast,
 * which differs for some types: `char(5)` loses its padding, `inet` gains a `/128`), so a row reads the
 * same in a full load, in a change and in verify. Runs in the caller's transaction (a cursor needs one;
 * REPEATABLE READ gives every page the same snapshot). Used by the local full load and by verify, which
 * also reads single rows by key (rowByKey).
 */
import type pg from "pg";
import { setOwn } from "../../../shared/own-properties";
import type { Relation, Tuple } from "./records";

/** Every value as PostgreSQL's output text (the text protocol's bytes), never parsed by pg. */
export const AS_OUTPUT_TEXT = {
  getTypeParser: () => (text: string) => text,
} as unknown as pg.CustomTypesConfig;

/** A row's values (output text, in the relation's column order) as a tuple. */
function tupleOf(relation: Relation, values: (string | null)[]): Tuple {
  const tuple: Tuple = {};
  // A column named `__proto__` is a value like any other (shared/own-properties.ts).
  relation.columns.forEach((c, i) => {
    setOwn<Tuple[string]>(tuple, c.name, values[i] ?? null);
  });
  return tuple;
}

const selectList = (db: Pick<pg.Client, "escapeIdentifier">, relation: Relation) =>
  `SELECT ${relation.columns.map((c) => db.escapeIdentifier(c.name)).join(", ")} FROM ${db.escapeIdentifier(relation.schema)}.${db.escapeIdentifier(relation.name)}`;

/**
 * The row whose key columns hold these values (each given as text, read as its column's type), in the
 * caller's snapshot, or undefined when there is none.
 */
export async function rowByKey(
  db: Pick<pg.Client, "query" | "escapeIdentifier">,
  relation: Relation,
  keyColumns: string[],
  values: string[],
): Promise<Tuple | undefined> {
  const where = keyColumns.map((c, i) => `${db.escapeIdentifier(c)} = $${i + 1}`).join(" AND ");
  const { rows } = await db.query<(string | null)[]>({
    text: `${selectList(db, relation)} WHERE ${where}`,
    values,
    rowMode: "array",
    types: AS_OUTPUT_TEXT,
  });
  return rows[0] && tupleOf(relation, rows[0]);
}

export async function* tablePages(
  db: Pick<pg.Client, "query" | "escapeIdentifier">,
  relation: Relation,
  pageSize: number,
): AsyncGenerator<Tuple[]> {
  await db.query(`DECLARE table_pages NO SCROLL CURSOR FOR ${selectList(db, relation)}`);
  for (;;) {
    const page = await db.query<string[]>({
      text: `FETCH ${pageSize} FROM table_pages`,
      rowMode: "array",
      types: AS_OUTPUT_TEXT,
    });
    if (page.rows.length === 0) break;
    yield page.rows.map((values) => tupleOf(relation, values));
  }
  // Closed once read to the end; on an error the caller's transaction ends, and the cursor with it.
  await db.query("CLOSE table_pages");
}
