/**
 * A table's rows as text tuples, a page at a time through a cursor, so memory holds one page. Each value
 * is its type's output text, the same text logical replication sends for a change (not a `::text` cast,
 * which differs for some types: `char(5)` loses its padding, `inet` gains a `/128`), so a row reads the
 * same in a full load, in a change and in verify. Runs in the caller's transaction (a cursor needs one;
 * REPEATABLE READ gives every page the same snapshot). Used by the local full load and by verify.
 */
import type pg from "pg";
import { setOwn } from "../../../shared/own-properties";
import type { Relation, Tuple } from "./records";

/** Every value as PostgreSQL's output text (the text protocol's bytes), never parsed by pg. */
const AS_OUTPUT_TEXT = { getTypeParser: () => (text: string) => text } as unknown as pg.CustomTypesConfig;

export async function* tablePages(
  db: Pick<pg.Client, "query" | "escapeIdentifier">,
  relation: Relation,
  pageSize: number,
): AsyncGenerator<Tuple[]> {
  const columns = relation.columns.map((c) => db.escapeIdentifier(c.name)).join(", ");
  const from = `${db.escapeIdentifier(relation.schema)}.${db.escapeIdentifier(relation.name)}`;
  await db.query(`DECLARE table_pages NO SCROLL CURSOR FOR SELECT ${columns} FROM ${from}`);
  for (;;) {
    const page = await db.query<string[]>({
      text: `FETCH ${pageSize} FROM table_pages`,
      rowMode: "array",
      types: AS_OUTPUT_TEXT,
    });
    if (page.rows.length === 0) break;
    yield page.rows.map((values) => {
      const tuple: Tuple = {};
      // A column named `__proto__` is a value like any other (shared/own-properties.ts).
      relation.columns.forEach((c, i) => {
        setOwn<Tuple[string]>(tuple, c.name, values[i] ?? null);
      });
      return tuple;
    });
  }
  // Closed once read to the end; on an error the caller's transaction ends, and the cursor with it.
  await db.query("CLOSE table_pages");
}
