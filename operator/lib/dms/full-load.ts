/**
 * A table's rows as the DMS task sends them in a full load: `load` records of the columns its table
 * mappings keep, a page at a time. Read in the caller's transaction (REPEATABLE READ gives every page of
 * every table one snapshot; the session must render times in UTC, as DMS does). Used by the local
 * capture's full load and by `npm run reload` on the local stack.
 */
import type pg from "pg";
import type { CaptureSelection } from "../../../shared/dms-table-mappings";
import { describeTable } from "./describe-table";
import { type KinesisEntry, loadRecord, type Relation } from "./records";
import { tablePages } from "./table-pages";

/** A relation as the task captures it: without the columns its table mappings remove. */
export function capturedRelation(relation: Relation, selection: CaptureSelection): Relation {
  const { schema, name } = relation;
  return {
    ...relation,
    columns: relation.columns.filter((c) => !selection.removesColumn(schema, name, c.name)),
  };
}

/** `schema.table`'s load records, a page of at most `pageSize` at a time, each stamped when it is built. */
export async function* loadRecordPages(
  client: pg.Client,
  table: string,
  selection: CaptureSelection,
  pageSize: number,
): AsyncGenerator<KinesisEntry[]> {
  const relation = capturedRelation(await describeTable(client, table), selection);
  for await (const page of tablePages(client, relation, pageSize)) {
    const builtMicros = BigInt(Date.now()) * 1000n;
    yield page.map((tuple) => loadRecord(relation, tuple, builtMicros));
  }
}
