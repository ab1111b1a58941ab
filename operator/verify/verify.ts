/**
 * `verify`: compares every configured table with its indices, in pages on both sides so a large table
 * needs memory for one page and the ids only. The expected documents are what the indexer makes of each
 * row read as a DMS full load (same parsing, coercion, exclusions, ids and routes), read through a cursor
 * in one repeatable-read snapshot; each page's documents are fetched from the index with `_mget` and
 * compared (missing, differing). A scroll over each index then finds the documents no row expects
 * (extra). Progress is reported per page. With secondLookAfterMs, each difference is looked at again
 * after that wait, so changes still on their way to the index are not reported as differences.
 */
import { isDeepStrictEqual } from "node:util";
import type { Client } from "@opensearch-project/opensearch";
import type pg from "pg";
import { parseDmsMessage } from "../../functions/indexer/dms-message";
import { documentId, primaryKeyColumns } from "../../functions/indexer/document-id";
import { planChange } from "../../functions/indexer/plan";
import { keyColumnsOf } from "../../shared/captured-keys";
import { columnProblems } from "../../shared/configured-columns";
import { PermanentRecordError } from "../../shared/errors";
import { parseJsonKeepingDigits } from "../../shared/exact-json";
import { ownValue, setOwn } from "../../shared/own-properties";
import { indicesOf, type PipelineConfig, type TableRouting } from "../../shared/pipeline-config";
import { quotedTable } from "../../shared/table-name";
import { uncapturableTables } from "../../shared/uncapturable-tables";
import { connectDatabase } from "../lib/database-connect";
import { describeTable } from "../lib/dms/describe-table";
import { loadRecord, type Relation, type Tuple } from "../lib/dms/records";
import { rowByKey, tablePages } from "../lib/dms/table-pages";

type Docs = Map<string, Record<string, unknown>>;
export type Difference = {
  index: string;
  id: string;
  kind: "missing" | "extra" | "differs";
  expected?: unknown;
  actual?: unknown;
  /** For `differs`: the top-level fields that differ, each as written on both sides (absent: undefined). */
  fields?: FieldDifference[];
};
export type FieldDifference = { field: string; expected: unknown; actual: unknown };
export type IndexSummary = {
  index: string;
  /** Rows and documents counted at the first look. */
  expected: number;
  actual: number;
  differences: number;
  /** Differences of the first look gone at the second (changes then on their way to the index). */
  goneOnSecondLook?: number;
};
export type Unindexable = { table: string; key: string; reason: string };
export type VerifyReport = {
  indices: IndexSummary[];
  differences: Difference[];
  /** Rows the indexer refuses by rule (they belong in the DLQ), so they are not expected in an index. */
  unindexable: Unindexable[];
  skippedTables: string[];
  /**
   * Columns the routing config names that their tables lack (shared/configured-columns.ts), and tables
   * it names that cannot be captured as configured (shared/uncapturable-tables.ts).
   */
  configProblems: string[];
  /**
   * Differences found at first that were gone on the second look (changes still on their way to the
   * index when first compared); `differences` holds only the others. Undefined when there was no look.
   */
  goneOnSecondLook?: number;
};
export type VerifyProgress = { table?: string; index?: string; rows?: number; documents?: number };

/**
 * Missing, extra and differing documents between two id -> source maps (pure). Both sides are compared as
 * their JSON reads back with numbers as written (shared/exact-json.ts): a json column's number that lost
 * digits in the index is a difference. A null column equals a missing field (withoutNullColumns).
 * `actual` must come from a client that reads numbers so (`exactNumbers`), or such numbers differ from
 * the table's by the client's rounding.
 */
export function compareDocuments(index: string, expected: Docs, actual: Docs): Difference[] {
  const differences: Difference[] = [];
  const asWritten = (doc: Record<string, unknown>) =>
    withoutNullColumns(parseJsonKeepingDigits(JSON.stringify(doc)));
  for (const [id, doc] of expected) {
    const found = actual.get(id);
    if (!found) {
      differences.push({ index, id, kind: "missing", expected: doc });
      continue;
    }
    const want = asWritten(doc) as Record<string, unknown>;
    const got = asWritten(found) as Record<string, unknown>;
    if (!isDeepStrictEqual(want, got))
      differences.push({
        index,
        id,
        kind: "differs",
        expected: doc,
        actual: found,
        fields: fieldsThatDiffer(want, got),
      });
  }
  for (const [id, doc] of actual)
    if (!expected.has(id)) differences.push({ index, id, kind: "extra", actual: doc });
  return differences;
}

/** The top-level fields whose values differ, in the expected document's order, then the extra ones. */
function fieldsThatDiffer(want: Record<string, unknown>, got: Record<string, unknown>): FieldDifference[] {
  const fields = [...new Set([...Object.keys(want), ...Object.keys(got)])];
  return fields
    .map((field) => ({ field, expected: ownValue(want, field), actual: ownValue(got, field) }))
    .filter((f) => !isDeepStrictEqual(f.expected, f.actual));
}

/**
 * A document without its null columns: a column that is null and a field the document lacks are the same
 * to OpenSearch (neither is indexed), and a column added to a table (ALTER TABLE ... ADD COLUMN) is null in
 * every older row while their documents, written before it existed, lack it. Only top-level columns: a
 * null inside a json value is data.
 */
function withoutNullColumns(doc: unknown): unknown {
  if (doc === null || typeof doc !== "object") return doc;
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(doc)) if (value !== null) setOwn(kept, key, value);
  return kept;
}

/** The documents of `ids` that exist in the index (a missing index has none). */
async function fetchDocuments(search: Client, index: string, ids: string[]): Promise<Docs> {
  const found: Docs = new Map();
  if (ids.length === 0) return found;
  const { body } = await search.mget({ index, body: { ids } });
  for (const doc of (body as { docs: { _id: string; found?: boolean; _source?: Record<string, unknown> }[] })
    .docs)
    if (doc.found && doc._source) found.set(doc._id, doc._source);
  return found;
}

/** Scrolls an index page by page (a missing index has no pages). */
async function* indexPages(search: Client, index: string, size: number): AsyncGenerator<Docs> {
  const exists = await search.indices.exists({ index });
  if (!exists.body) return;
  type Page = { _scroll_id?: string; hits: { hits: { _id: string; _source: Record<string, unknown> }[] } };
  let response = (await search.search({ index, scroll: "2m", body: { size, query: { match_all: {} } } }))
    .body as Page;
  try {
    while (response.hits.hits.length > 0) {
      yield new Map(response.hits.hits.map((h) => [h._id, h._source]));
      if (!response._scroll_id) break;
      response = (await search.scroll({ body: { scroll: "2m", scroll_id: response._scroll_id } }))
        .body as Page;
    }
  } finally {
    if (response._scroll_id)
      await search.clearScroll({ body: { scroll_id: response._scroll_id } }).catch(() => undefined);
  }
}

export type VerifyInput = {
  /** A connection string, or pg client options (a deployed stage's database, over TLS). */
  database: string | pg.ClientConfig;
  search: Client;
  pipeline: PipelineConfig;
  /** Only these tables (`schema.table`) and their indices; default every configured table. */
  tables?: string[];
  /** Rows (and documents) per page; default 1,000. */
  pageSize?: number;
  onProgress?: (progress: VerifyProgress) => void;
  /**
   * Wait this long, then look at each difference again (default 0: no second look): a change committed
   * while the tables were read and still on its way to the index differs at first and is gone then. The
   * row is read again by its key (taken from the document id) in a new snapshot, the document again from
   * the index. At most SECOND_LOOK_MAX differences: more are drift, not changes in flight.
   */
  secondLookAfterMs?: number;
  /** How to wait for the second look (tests let the pipeline catch up here); default a timer. */
  wait?: (ms: number) => Promise<void>;
};

export const SECOND_LOOK_MAX = 1000;

export async function verify(input: VerifyInput): Promise<VerifyReport> {
  const pageSize = input.pageSize ?? 1000;
  const expectedIds = new Map<string, Set<string>>();
  const unindexable: Unindexable[] = [];
  const skippedTables: string[] = [];
  const configProblems: string[] = [];
  const differences: Difference[] = [];
  /** Per index, the ids of rows the indexer refuses (their documents are from an earlier change). */
  const refusedIds = new Map<string, Set<string>>();
  const refusedIdsOf = (index: string) => {
    const ids = refusedIds.get(index) ?? new Set<string>();
    refusedIds.set(index, ids);
    return ids;
  };
  const idsOf = (index: string) => {
    const ids = expectedIds.get(index) ?? new Set<string>();
    expectedIds.set(index, ids);
    return ids;
  };
  const chosen = input.pipeline.tables().filter((r) => !input.tables || input.tables.includes(r.table));
  // An index another (unchosen) table also writes to holds its documents too: not scanned for extras.
  const shared = new Set(
    input.pipeline
      .tables()
      .filter((r) => !chosen.includes(r))
      .flatMap(indicesOf),
  );
  for (const routing of chosen) for (const index of indicesOf(routing)) idsOf(index);
  await input.search.indices.refresh({ index: [...expectedIds.keys()].join(","), ignore_unavailable: true });

  const db = await connectDatabase(input.database);
  try {
    await db.query("SET TimeZone = 'UTC'");
    await db.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    // A view (or a partitioned table) configured as a table: compared, but no change of it is captured.
    const uncapturable = await uncapturableTables(
      db,
      chosen.map((r) => r.table),
    );
    configProblems.push(...uncapturable.values());
    for (const routing of chosen) {
      const table = quotedTable(routing.table, db);
      const exists = await db.query("SELECT to_regclass($1) IS NOT NULL AS ok", [table]);
      if (!exists.rows[0]?.ok) {
        skippedTables.push(routing.table);
        continue;
      }
      const relation = await describeTable(db, routing.table);
      configProblems.push(...columnProblems(routing, new Set(relation.columns.map((c) => c.name))));
      let rowsRead = 0;
      for await (const page of tablePages(db, relation, pageSize)) {
        const expected = new Map<string, Docs>();
        for (const tuple of page) {
          try {
            for (const { index, id, doc } of documentsOf(relation, routing, tuple)) {
              if (!expected.has(index)) expected.set(index, new Map());
              expected.get(index)?.set(id, doc);
              idsOf(index).add(id);
            }
          } catch (error) {
            if (!(error instanceof PermanentRecordError)) throw error;
            const key = relation.keyColumns.map((k) => ownValue(tuple, k)).join("|");
            unindexable.push({ table: routing.table, key, reason: error.message });
            // Its document, if an earlier change of the row was taken, is that change's: not an extra.
            const id = refusedRowId(relation, routing, tuple);
            if (id !== undefined) for (const index of indicesOf(routing)) refusedIdsOf(index).add(id);
          }
        }
        for (const [index, docs] of expected) {
          const actual = await fetchDocuments(input.search, index, [...docs.keys()]);
          // Only missing and differing here: extras are found by the scroll below.
          differences.push(...compareDocuments(index, docs, actual).filter((d) => d.kind !== "extra"));
        }
        rowsRead += page.length;
        input.onProgress?.({ table: routing.table, rows: rowsRead });
      }
    }
    await db.query("COMMIT");
  } finally {
    await db.end();
  }

  const indices: IndexSummary[] = [];
  for (const [index, ids] of expectedIds) {
    const ofIndex = differences.filter((d) => d.index === index);
    if (shared.has(index)) {
      // The chosen tables' documents only: found are those expected and not missing.
      const missing = ofIndex.filter((d) => d.kind === "missing").length;
      indices.push({ index, expected: ids.size, actual: ids.size - missing, differences: ofIndex.length });
      continue;
    }
    let actual = 0;
    for await (const page of indexPages(input.search, index, pageSize)) {
      actual += page.size;
      for (const [id, doc] of page)
        if (!ids.has(id) && !refusedIds.get(index)?.has(id))
          differences.push({ index, id, kind: "extra", actual: doc });
      input.onProgress?.({ index, documents: actual });
    }
    indices.push({ index, expected: ids.size, actual, differences: 0 });
  }

  let remaining = differences;
  let goneOnSecondLook: number | undefined;
  const after = input.secondLookAfterMs ?? 0;
  if (after > 0 && differences.length > 0 && differences.length <= SECOND_LOOK_MAX) {
    await (input.wait ?? ((ms) => new Promise<void>((resolve) => setTimeout(resolve, ms))))(after);
    // A table the database does not have (dropped) has no row to look at again.
    const present = chosen.filter((r) => !skippedTables.includes(r.table));
    remaining = await lookAgain(input, present, differences);
    goneOnSecondLook = differences.length - remaining.length;
  }
  for (const summary of indices) {
    summary.differences = remaining.filter((d) => d.index === summary.index).length;
    const gone = differences.filter((d) => d.index === summary.index).length - summary.differences;
    if (goneOnSecondLook !== undefined && gone > 0) summary.goneOnSecondLook = gone;
  }
  return {
    indices,
    differences: remaining,
    unindexable,
    skippedTables,
    configProblems,
    ...(goneOnSecondLook !== undefined && { goneOnSecondLook }),
  };
}

/** The document id of a row the indexer refuses, when its key still gives one. */
function refusedRowId(relation: Relation, routing: TableRouting, tuple: Tuple): string | undefined {
  try {
    const message = parseDmsMessage(loadRecord(relation, tuple, 0n).data);
    if (message.kind !== "change") return undefined;
    const { row } = message;
    return documentId(routing.table, primaryKeyColumns(routing.table, routing.primaryKey, row), row);
  } catch {
    return undefined; // the key itself is what is refused
  }
}

/**
 * The documents the indexer makes of a row read as a full load (same parsing, coercion, exclusions, ids
 * and routes); throws PermanentRecordError as the indexer refuses the row.
 */
function documentsOf(
  relation: Relation,
  routing: TableRouting,
  tuple: Tuple,
): { index: string; id: string; doc: Record<string, unknown> }[] {
  const message = parseDmsMessage(loadRecord(relation, tuple, 0n).data);
  if (message.kind !== "change") return [];
  return planChange(message, routing)
    .actions.filter((action) => action.op === "index")
    .map((action) => ({ index: action.index, id: action.id, doc: action.doc ?? {} }));
}

/** A document id's key values (functions/indexer/document-id.ts), or undefined when it cannot be one. */
function keyValuesOf(id: string, columns: number): string[] | undefined {
  if (columns === 1) return [id];
  const parts = id.split("|");
  if (parts.length !== columns) return undefined;
  try {
    return parts.map(decodeURIComponent);
  } catch {
    return undefined;
  }
}

/**
 * Each difference compared again: the row by its key in a new snapshot, the document from the index. The
 * ones that still differ, as they differ now; one that cannot be looked at again stays as it was.
 */
async function lookAgain(
  input: VerifyInput,
  chosen: TableRouting[],
  differences: Difference[],
): Promise<Difference[]> {
  const db = await connectDatabase(input.database);
  const relations = new Map<string, Relation>();
  const relationOf = async (table: string) => {
    const known = relations.get(table) ?? (await describeTable(db, table));
    relations.set(table, known);
    return known;
  };
  try {
    await db.query("SET TimeZone = 'UTC'");
    const remaining: Difference[] = [];
    for (const difference of differences) {
      const { index, id } = difference;
      const expected: Docs = new Map();
      let unsure = false;
      for (const routing of chosen.filter((r) => indicesOf(r).includes(index))) {
        const relation = await relationOf(routing.table);
        const keyColumns = keyColumnsOf(
          routing.primaryKey,
          relation.columns.some((c) => c.name === "id"),
        );
        const values = keyColumns && keyValuesOf(id, keyColumns.length);
        if (!keyColumns || !values) continue;
        // A key text its column does not read (another table's id in a shared index) finds no row.
        const tuple = await rowByKey(db, relation, keyColumns, values).catch(() => undefined);
        if (!tuple) continue;
        try {
          const found = documentsOf(relation, routing, tuple).find((d) => d.index === index && d.id === id);
          if (found) expected.set(id, found.doc);
        } catch (error) {
          if (!(error instanceof PermanentRecordError)) throw error;
          unsure = true;
        }
        if (expected.size > 0) break;
      }
      if (unsure) remaining.push(difference);
      else
        remaining.push(...compareDocuments(index, expected, await fetchDocuments(input.search, index, [id])));
    }
    return remaining;
  } finally {
    await db.end();
  }
}
