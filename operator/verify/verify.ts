/**
 * `verify`: compares every configured table with its indices. The expected documents are what the
 * indexer makes of each row read as a DMS full load (same parsing, coercion, exclusions, ids and
 * routes); the actual ones are read back with a scroll. Reports missing, extra and differing documents.
 */
import { isDeepStrictEqual } from "node:util";
import type { Client } from "@opensearch-project/opensearch";
import pg from "pg";
import { parseDmsMessage } from "../../functions/indexer/dms-message";
import { planChange } from "../../functions/indexer/plan";
import { PermanentRecordError } from "../../shared/errors";
import type { PipelineConfig } from "../../shared/pipeline-config";
import { describeTable } from "../lib/dms/describe-table";
import { loadRecord, type Tuple } from "../lib/dms/records";

type Docs = Map<string, Record<string, unknown>>;
export type Difference = {
  index: string;
  id: string;
  kind: "missing" | "extra" | "differs";
  expected?: unknown;
  actual?: unknown;
};
export type IndexSummary = { index: string; expected: number; actual: number; differences: number };
export type Unindexable = { table: string; key: string; reason: string };
export type VerifyReport = {
  indices: IndexSummary[];
  differences: Difference[];
  /** Rows the indexer refuses by rule (they belong in the DLQ), so they are not expected in an index. */
  unindexable: Unindexable[];
  skippedTables: string[];
};

/** Missing, extra and differing documents between two id -> source maps (pure). */
export function compareDocuments(index: string, expected: Docs, actual: Docs): Difference[] {
  const differences: Difference[] = [];
  for (const [id, doc] of expected) {
    const found = actual.get(id);
    if (!found) differences.push({ index, id, kind: "missing", expected: doc });
    else if (!isDeepStrictEqual(JSON.parse(JSON.stringify(doc)), found))
      differences.push({ index, id, kind: "differs", expected: doc, actual: found });
  }
  for (const [id, doc] of actual)
    if (!expected.has(id)) differences.push({ index, id, kind: "extra", actual: doc });
  return differences;
}

async function readIndex(search: Client, index: string): Promise<Docs> {
  const docs: Docs = new Map();
  const exists = await search.indices.exists({ index });
  if (!exists.body) return docs;
  let response = (
    await search.search({ index, scroll: "1m", body: { size: 1000, query: { match_all: {} } } })
  ).body as { _scroll_id?: string; hits: { hits: { _id: string; _source: Record<string, unknown> }[] } };
  while (response.hits.hits.length > 0) {
    for (const hit of response.hits.hits) docs.set(hit._id, hit._source);
    if (!response._scroll_id) break;
    response = (await search.scroll({ body: { scroll: "1m", scroll_id: response._scroll_id } }))
      .body as typeof response;
  }
  if (response._scroll_id)
    await search.clearScroll({ body: { scroll_id: response._scroll_id } }).catch(() => undefined);
  return docs;
}

export async function verify(input: {
  databaseUrl: string;
  search: Client;
  pipeline: PipelineConfig;
}): Promise<VerifyReport> {
  const expected = new Map<string, Docs>();
  const unindexable: Unindexable[] = [];
  const skippedTables: string[] = [];
  const db = new pg.Client({ connectionString: input.databaseUrl });
  await db.connect();
  try {
    await db.query("SET TimeZone = 'UTC'");
    await db.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    for (const routing of input.pipeline.tables()) {
      for (const index of [routing.index, ...routing.routes.map((r) => r.index)])
        if (!expected.has(index)) expected.set(index, new Map());
      const [schema, name] = routing.table.split(".") as [string, string];
      const exists = await db.query("SELECT to_regclass($1) IS NOT NULL AS ok", [
        `${db.escapeIdentifier(schema)}.${db.escapeIdentifier(name)}`,
      ]);
      if (!exists.rows[0]?.ok) {
        skippedTables.push(routing.table);
        continue;
      }
      const relation = await describeTable(db, routing.table);
      const columns = relation.columns.map((c) => `${db.escapeIdentifier(c.name)}::text`).join(", ");
      const rows = await db.query<string[]>({
        text: `SELECT ${columns} FROM ${db.escapeIdentifier(schema)}.${db.escapeIdentifier(name)}`,
        rowMode: "array",
      });
      for (const values of rows.rows) {
        const tuple: Tuple = {};
        relation.columns.forEach((c, i) => {
          tuple[c.name] = values[i] ?? null;
        });
        try {
          const message = parseDmsMessage(loadRecord(relation, tuple, 0n).data);
          if (message.kind !== "change") continue;
          for (const action of planChange(message, routing).actions)
            if (action.op === "index") expected.get(action.index)?.set(action.id, action.doc ?? {});
        } catch (error) {
          if (!(error instanceof PermanentRecordError)) throw error;
          const key = relation.keyColumns.map((k) => tuple[k]).join("|");
          unindexable.push({ table: routing.table, key, reason: error.message });
        }
      }
    }
    await db.query("COMMIT");
  } finally {
    await db.end();
  }
  await input.search.indices.refresh({ index: [...expected.keys()].join(","), ignore_unavailable: true });
  const indices: IndexSummary[] = [];
  const differences: Difference[] = [];
  for (const [index, docs] of expected) {
    const actual = await readIndex(input.search, index);
    const found = compareDocuments(index, docs, actual);
    indices.push({ index, expected: docs.size, actual: actual.size, differences: found.length });
    differences.push(...found);
  }
  return { indices, differences, unindexable, skippedTables };
}
